// A TCP relay on 127.0.0.1 that holds every chunk for half a round trip in each direction:
// a remote on loopback that answers like one across a network. Counts the connections made.
import { createServer, connect } from 'node:net';

export async function startLatencyProxy(targetPort, roundTripMs) {
  const half = roundTripMs / 2;
  const sockets = new Set();
  let connections = 0;
  const relay = (from, to) => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), half));
    from.on('end', () => setTimeout(() => to.end(), half));
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections: () => connections,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
