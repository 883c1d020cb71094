'use strict'
// The server lives only as long as the process that started it: it exits when its stdin
// closes (the parent died or closed the pipe) and when it is re-parented (orphaned).

function bindToParent({ log = () => {}, watchStdin = true } = {}) {
  const exit = why => {
    log(`exiting: ${why}`)
    process.exit(0)
  }
  // stdin: a closed pipe (EOF) or an error means the parent is gone.
  if (watchStdin && process.stdin && !process.stdin.isTTY) {
    process.stdin.on('end', () => exit('stdin closed'))
    process.stdin.on('close', () => exit('stdin closed'))
    process.stdin.on('error', () => exit('stdin error'))
    process.stdin.resume() // read and discard, so 'end' fires
    process.stdin.on('data', () => {})
  }
  // parent pid: when the parent dies we get re-parented (to init or a subreaper).
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid !== parent) exit(`parent ${parent} gone`)
  }, 500)
  timer.unref()
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => exit(sig))
}

module.exports = { bindToParent }
