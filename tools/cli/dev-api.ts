/**
 * The API as `npm run dev` runs it, in a child process it can replace after a rebuild. The child stops
 * (gracefully, through main.ts's SIGTERM handling) when its launcher is gone, even a launcher killed
 * with SIGKILL, so it never holds PORT after the launcher.
 */
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
void import('../../src/main');
