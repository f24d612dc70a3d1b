// BENCH-ONLY: asks the peer's control listener (server.js) for COUNT codes with the S256 CHALLENGE and prints them,
// one per line. Usage: node mint.js CONTROL_PORT COUNT CHALLENGE
const [port, count, challenge] = process.argv.slice(2);
const batch = 5000;
for (let left = Number(count); left > 0; left -= batch) {
  const response = await fetch(`http://127.0.0.1:${port}/mint?count=${Math.min(batch, left)}&code_challenge=${challenge}`, { method: 'POST' });
  if (!response.ok) throw new Error(`mint: ${response.status} ${await response.text()}`);
  process.stdout.write(await response.text());
}
