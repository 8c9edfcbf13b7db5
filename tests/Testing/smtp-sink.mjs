// A real SMTP server for the magic-link tests (DESIGN §8: MailKit talks to a real server, nothing is faked at the
// protocol level). Listens on 127.0.0.1 with an OS-chosen port, which it prints, and writes every accepted message
// to OUT_DIR as <n>.json {mailFrom, rcptTo, user, raw}: written to a temp name and renamed, so a reader never sees
// half a message. STARTTLS is not offered (no certificate here); when SMTP_USER/SMTP_PASS are set, AUTH is
// required and checked, so the client's "authenticate only with credentials" rule is exercised too.
import { SMTPServer } from 'smtp-server';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.env.OUT_DIR;
if (!out) {
  console.error('smtp-sink: OUT_DIR is required');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const user = process.env.SMTP_USER || '';
const pass = process.env.SMTP_PASS || '';
let count = 0;

const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS'],
  authOptional: !user,
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, _session, callback) {
    if (user && auth.username === user && auth.password === pass) return callback(null, { user: auth.username });
    return callback(new Error('invalid credentials'));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const n = ++count;
      const message = {
        mailFrom: session.envelope.mailFrom && session.envelope.mailFrom.address,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        user: session.user || null,
        raw: Buffer.concat(chunks).toString('utf8'),
      };
      const temp = join(out, `.${n}.tmp`);
      writeFileSync(temp, JSON.stringify(message));
      renameSync(temp, join(out, `${n}.json`));
      callback();
    });
  },
});

server.on('error', (e) => console.error(`smtp-sink: ${e.message}`));
server.listen(0, '127.0.0.1', () => console.log(`smtp-sink listening on 127.0.0.1:${server.server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
