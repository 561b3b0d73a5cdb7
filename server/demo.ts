/**
 * `npm run demo`: the server on a fresh in-memory database, a demo fab lab, and a simulated
 * controller (mock Firmata board + keyboard badges) on every machine. Type
 * `<machine> <badge>` to badge, e.g. `laser 04A3B2C1`; the same again ends the session.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { loadSiteKeys } from '../application/site-keys.ts';
import { parseKeyboardLine } from '../controller/commands.ts';
import { describeEvent } from '../controller/messages.ts';
import { type SimulatedController, startSimulatedController } from '../controller/simulate.ts';
import { openDatabase } from '../db/client.ts';
import { createLogger } from '../logging/logger.ts';
import { httpApi, setUpDemoAccounts, setUpDemoLab } from './demo-lab.ts';
import { demoSettings } from './demo-settings.ts';
import { ConfigError, parseEnv } from './env.ts';
import { startServer } from './server.ts';

const settings = demoSettings(process.env);
const TOKEN = settings.adminToken;

async function main() {
  let env: ReturnType<typeof parseEnv>;
  try {
    env = parseEnv({
      ...process.env,
      MQTT_PORT: process.env.MQTT_PORT ?? '0',
      BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      HOST: settings.host,
      MQTT_HOST: settings.mqttHost,
      DATABASE_URL: '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`demo: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const out = (line: string) => console.log(line);
  out(
    'Sésame — démo / demo: démarrage du serveur (base en mémoire) / starting the server (in-memory database)…',
  );
  const database = await openDatabase({});
  const server = await startServer({
    env,
    log: createLogger(env.LOG_LEVEL),
    database,
    authorizer: { balanceDebounceMs: 1000 },
  });
  const base = `http://localhost:${server.httpPort}`;
  const lab = await setUpDemoLab(httpApi(`http://127.0.0.1:${server.httpPort}`, TOKEN));
  const accounts = await setUpDemoAccounts(
    httpApi(`http://127.0.0.1:${server.httpPort}`, TOKEN),
    lab.people,
    `demo-${randomBytes(6).toString('hex')}`,
  );

  const keys = await loadSiteKeys(database.db);

  const controllers = new Map<string, SimulatedController>();
  let stopping = false;
  const api = httpApi(`http://127.0.0.1:${server.httpPort}`, TOKEN);
  const euros = (cents: number) => `${(cents / 100).toFixed(2).replace('.', ',')} €`;
  const showCharge = async (machineId: string, sessionId: string) => {
    try {
      const s = await api('GET', `/sessions/${sessionId}`);
      const member = await api('GET', `/members/${s.memberId}`);
      out(
        `  [${machineId}] Facturé / charged ${euros(s.chargedCents)} — solde / balance ${euros(member.balanceCents)}`,
      );
    } catch {
      // an offline session reaches the server later
    }
  };
  for (const m of lab.machines) {
    const sim = await startSimulatedController({
      mqttUrl: server.mqttUrl,
      deviceId: m.deviceId,
      secret: m.secret,
      machineId: m.id,
      allowListPublicKey: keys.signingPublicKeyPem,
      heartbeatSeconds: 10,
      onEvent: (e) => {
        if (stopping) return;
        const line = describeEvent(e);
        if (line && e.type !== 'connected' && e.type !== 'allowlist') out(`  [${m.id}] ${line}`);
        // What the session cost, as the member's account shows it.
        if (e.type === 'session_end') setTimeout(() => void showCharge(m.id, e.sessionId), 400);
      },
    });
    controllers.set(m.id, sim);
  }

  // Wait for the boards to be connected before inviting the user to badge.
  const deadline = Date.now() + 10_000;
  while ([...controllers.values()].some((c) => !c.controller.connected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  out('');
  out(`Tableau de bord / dashboard : ${base}/   API : ${base}/api/docs`);
  out(
    `Écoute sur / listening on   : ${env.HOST} (HTTP), ${env.MQTT_HOST} (MQTT) — HOST, MQTT_HOST pour changer / to change`,
  );
  // Issue #12: accounts that sign in to the dashboard (password new at every run).
  out('Connexion / sign in (e-mail, mot de passe / password) :');
  const roleWords = {
    admin: 'admin',
    trainer: 'formatrice / trainer',
    treasurer: 'trésorier / treasurer',
    member: 'membre / member',
  };
  for (const a of accounts) {
    out(`  ${roleWords[a.role].padEnd(22)} ${a.name.padEnd(16)} ${a.email.padEnd(24)} ${a.password}`);
  }
  out(
    `Jeton admin / admin token  : ${TOKEN}${TOKEN === process.env.BOOTSTRAP_ADMIN_TOKEN?.trim() ? '' : ' (nouveau à chaque lancement / new at every run)'}`,
  );
  for (const s of lab.staffTokens) out(`Jeton ${s.roles.join(',')} (${s.name}) : ${s.token}`);
  out(`Broker MQTT                : ${server.mqttUrl}`);
  out('');
  out(`Machines : ${lab.machines.map((m) => m.id).join(', ')}`);
  out('Badges :');
  for (const b of lab.badges) out(`  ${b.uid}  ${b.who.padEnd(30)} → ${b.expect}`);
  out('');
  out('Tapez / type  «machine badge»  (ex. «laser 04A3B2C1»), la même chose pour finir / again to end;');
  out(
    'Une machine en cours d’usage refuse les autres badges : badgez à nouveau pour finir / a machine in use refuses',
  );
  out(
    'other badges: badge again to end. Aussi / also: «laser cert 04E1E2E3», «printer-1 material pla 20», «cnc report lens».',
  );
  out('«status» pour l’état / for the state, «quit» pour quitter / to quit.');

  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  rl.prompt();
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    rl.close();
    for (const c of controllers.values()) await c.stop().catch(() => {});
    await server.stop();
    await database.close();
    process.exit(0);
  };
  rl.on('line', (line) => {
    const [a, ...rest] = line.trim().split(/\s+/);
    const b = rest[0];
    if (!a) return rl.prompt();
    if (a === 'quit' || a === 'exit') {
      void stop();
      return;
    }
    if (a === 'status') {
      for (const [id, c] of controllers)
        out(
          `  ${id.padEnd(10)} relais/relay ${c.relay()}${c.sessionId() ? `, session ${c.sessionId()}` : ''}`,
        );
      return rl.prompt();
    }
    const sim = controllers.get(a);
    if (!sim || !b) {
      out(`  ? «machine badge», machines: ${[...controllers.keys()].join(', ')}`);
      return rl.prompt();
    }
    // The board's own keyboard commands: a UID, `cert UID`, `enrol UID`, `report note`, `material id qty`.
    const command = parseKeyboardLine(rest.join(' '));
    switch (command.kind) {
      case 'badge':
        sim.badge(command.uid, command.mode);
        break;
      case 'report':
        sim.report(command.note);
        break;
      case 'material':
        sim.recordMaterial(command.materialId, command.quantity);
        break;
      case 'error':
        out(`  ? ${command.message}`);
        break;
      default:
        out('  ? «machine badge», «machine cert badge», «machine report note», «machine material pla 20»');
    }
    setTimeout(() => rl.prompt(), 300);
  });
  rl.on('close', () => {
    // Run in the background with no stdin (nohup, a service, `< /dev/null`), the demo keeps
    // running until SIGINT/SIGTERM instead of quitting right after its prompt.
    if (process.stdin.isTTY || stopping) return void stop();
    out(
      'Entrée fermée : la démo continue jusqu’à Ctrl-C / SIGTERM — stdin closed: the demo runs until SIGINT/SIGTERM.',
    );
  });
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
