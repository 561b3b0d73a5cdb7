/** One bilingual line (French / English) per controller event, for the CLI and the simulator. */
import type { ControllerEvent } from './controller.ts';

const SESSION_END: Record<string, string> = {
  badge_out: 'badge retiré / badged out',
  timeout: 'temps écoulé / time limit',
  power_loss: 'coupure / power loss',
  command: 'verrouillé par le serveur / locked by the server',
  takeover: 'reprise / takeover',
};

export function describeEvent(e: ControllerEvent): string | null {
  switch (e.type) {
    case 'connected':
      return 'Connecté au broker / Connected to the broker';
    case 'disconnected':
      return 'Broker injoignable / Broker unreachable';
    case 'mqtt_error':
      return `Erreur MQTT / MQTT error: ${e.message}`;
    case 'invalid_badge':
      return `Badge illisible / Unreadable badge: ${JSON.stringify(e.raw)}`;
    case 'request':
      return `Badge ${e.uid}: demande au serveur… / asking the server…`;
    case 'ignored_badge':
      return e.why === 'busy'
        ? `Badge ${e.uid} ignoré: machine occupée / ignored: machine busy`
        : e.why === 'pending'
          ? `Badge ${e.uid} ignoré: décision en attente / ignored: decision pending`
          : `Badge ${e.uid} ignoré: défaut matériel / ignored: hardware fault`;
    case 'denied':
      return `Accès refusé / Access denied (${e.reason})${e.message ? ` — ${e.message}` : ''}`;
    case 'session_open':
      return (
        `Relais fermé — session ${e.sessionId}${e.offline ? ' (hors ligne / offline)' : ''}` +
        `${e.name ? `, ${e.name}` : ''}${e.maxSeconds !== undefined ? `, max ${e.maxSeconds} s` : ''}` +
        ' / Relay closed — session open'
      );
    case 'session_end':
      return `Relais ouvert — fin de session ${e.sessionId} (${SESSION_END[e.reason] ?? e.reason}), ${e.runningSeconds} s de marche / Relay open — session ended, ${e.runningSeconds} s running`;
    case 'relay':
      return null; // said by session_open / session_end
    case 'running':
      return e.running ? 'Machine en marche / Machine running' : 'Machine arrêtée / Machine idle';
    case 'runtime':
      return null;
    case 'acked':
      return null;
    case 'allowlist':
      return e.accepted
        ? `Liste hors ligne reçue / Offline list received (${e.entries} badges)`
        : `Liste hors ligne refusée / Offline list refused (${e.reason})`;
    case 'late_grant_closed':
      return `Réponse tardive: session ${e.sessionId} fermée / Late grant: session closed`;
    case 'fault':
      return `DÉFAUT — relais ouvert / FAULT — relay open: ${e.message}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
