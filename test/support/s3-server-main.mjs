// The S3-compatible server of the store tests (s3rver), run as its own
// process: s3rver makes list continuation tokens with DES, which Node 20's
// OpenSSL 3 offers only with --openssl-legacy-provider, a flag the test
// process itself should not carry. Usage: s3-server-main.mjs <directory> <bucket>...
// Prints {"port":N} once listening; stops on SIGTERM.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + '\n');
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
