/** Whether a process with this pid exists (a node killed with SIGKILL leaves its api.json and lock behind). */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err.code === 'EPERM'
  }
}
