// Holds COUNT idle TCP connections to 127.0.0.1:PORT for the laptop benchmark, the way an attacker
// would: the server reaps idle sockets after its header timeout, so each one closed is reopened.
// Prints "holding COUNT" once all are open, and the number reopened when stopped with SIGTERM.
import net from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 500);
const sockets = new Set();
let reopened = 0;
let stopping = false;
let announced = false;

function open() {
  const socket = net.connect(port, '127.0.0.1');
  sockets.add(socket);
  socket.on('connect', () => {
    if (!announced && [...sockets].every((s) => !s.connecting)) {
      announced = true;
      console.log(`holding ${count}`);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets.delete(socket);
    if (stopping) return;
    reopened += 1;
    open();
  });
  // Read (and drop) what the server sends, so its close is seen at once.
  socket.resume();
}

for (let i = 0; i < count; i += 1) open();

process.on('SIGTERM', () => {
  stopping = true;
  console.log(`reopened ${reopened} connections the server had closed`);
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
