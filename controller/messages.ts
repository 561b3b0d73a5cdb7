/** One bilingual line (French / English) per controller event, for the CLI and the simulator. */
import type { BadgeMode, DecisionReason } from '../core/mqtt-contract.ts';
import type { ControllerEvent } from './events.ts';

const MODE: Record<BadgeMode, string> = {
  use: 'utilisation / use',
  certify: 'certifier (badge du formateur) / certify (trainer badge)',
  enrol: 'inscrire (badge admin) / enrol (admin badge)',
};

/** What the reader says for each decision reason (the server's `message` is added after it). */
export function decisionLine(uid: string, reason: DecisionReason, check?: string): string {
  switch (reason) {
    case 'granted':
      return `Accès accordé / Access granted (${uid})`;
    case 'awaiting_member':
      return 'Formateur reconnu: le membre badge dans les 30 s / Trainer recognised: the member badges within 30 s';
    case 'certified':
      return `Certification enregistrée / Certification recorded (${uid})`;
    case 'enrolment_ready':
      return 'Inscription: présentez le nouveau badge dans les 30 s / Enrolment: present the new badge within 30 s';
    case 'badge_presented':
      return `Badge ${uid} transmis: terminez dans le tableau de bord / Badge sent: finish in the dashboard`;
    case 'supervisor_required':
      return 'Encadrant requis: un encadrant qualifié badge dans les 60 s / Supervisor required: qualified staff badge within 60 s';
    case 'check_required':
      return (
        `Vérification requise / Check required${check ? `: ${check}` : ''} — ` +
        'badgez à nouveau pour confirmer / badge again to confirm'
      );
    case 'machine_busy':
      return 'Machine occupée / Machine busy';
    default:
      return `Accès refusé / Access denied (${reason})`;
  }
}

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
      return (
        `Badge ${e.uid}${e.mode !== 'use' ? ` [${e.mode}]` : ''}: demande au serveur… / asking the server…` +
        (e.takeover ? ' (reprise? / takeover?)' : '')
      );
    case 'ignored_badge':
      return e.why === 'busy'
        ? `Badge ${e.uid} ignoré: machine occupée / ignored: machine busy`
        : e.why === 'pending'
          ? `Badge ${e.uid} ignoré: décision en attente / ignored: decision pending`
          : `Badge ${e.uid} ignoré: défaut matériel / ignored: hardware fault`;
    case 'denied':
      // An online decision is told by its `display` event.
      return e.offline ? `Accès refusé / Access denied (${e.reason})` : null;
    case 'display':
      if (e.granted && !e.message) return null; // session_open says it
      return `${decisionLine(e.uid, e.reason, e.check)}${e.message ? ` — « ${e.message} »` : ''}`;
    case 'mode':
      return e.why === 'used'
        ? null
        : `Prochain badge / Next badge: ${MODE[e.mode]}${e.why === 'timeout' ? ' (délai écoulé / timed out)' : ''}`;
    case 'warning':
      return `ATTENTION: coupure dans ${e.graceSeconds} s / WARNING: power cut in ${e.graceSeconds} s (${e.reason})`;
    case 'report':
      return `Problème signalé / Problem reported${e.note ? `: ${e.note}` : ''}`;
    case 'material':
      return `Matière / Material: ${e.quantity} × ${e.materialId} (session ${e.sessionId})`;
    case 'material_refused':
      return e.why === 'no_session'
        ? `Matière refusée: pas de session / Material refused: no open session`
        : `Matière refusée: identifiant ou quantité invalide / Material refused: invalid id or quantity`;
    case 'session_open':
      return (
        `Relais fermé — session ${e.sessionId}${e.offline ? ' (hors ligne / offline)' : ''}` +
        `${e.name ? `, ${e.name}` : ''}${e.maxSeconds !== undefined ? `, max ${e.maxSeconds} s` : ''}` +
        ' / Relay closed — session open'
      );
    case 'session_end': {
      const unlocked =
        e.unlockedSeconds !== undefined ? `, ${e.unlockedSeconds} s déverrouillée / unlocked` : '';
      const why = SESSION_END[e.reason] ?? e.reason;
      return e.reason === 'takeover'
        ? `Session ${e.sessionId} reprise par un autre membre, relais maintenu / taken over, relay kept closed (${e.runningSeconds} s${unlocked})`
        : `Relais ouvert — fin de session ${e.sessionId} (${why}), ${e.runningSeconds} s de marche / Relay open — session ended, ${e.runningSeconds} s running${unlocked}`;
    }
    case 'relay':
      return null; // said by session_open / session_end
    case 'running':
      return e.running ? 'Machine en marche / Machine running' : 'Machine arrêtée / Machine idle';
    case 'runtime':
      return null;
    case 'acked':
    case 'refused':
      return null;
    case 'resent':
      return e.why === 'reconnect' ? `${e.count} événement(s) renvoyé(s) / event(s) resent` : null;
    case 'event_rejected':
      return `Événement refusé par le serveur / Event rejected by the server (${e.kind} ${e.eventId}${e.error ? `: ${e.error}` : ''})`;
    case 'outbox_dropped':
      return `Tampon plein: événement abandonné / Outbox full: event dropped (${e.topic.split('/').at(-1)} ${e.eventId}, ${e.why})`;
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
