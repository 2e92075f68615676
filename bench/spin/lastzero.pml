/*
 * lastzero(N) in Promela, for the spin comparison in `npm run bench` (bench/sections/15-spin.ts).
 * The same program as src/explorer/classics.ts `lastzero(n)`, step for step:
 *
 *   explorer                                  here
 *   m.array('a', n + 1, 0)                    byte a[N+1], all 0 (values stay <= N < 256)
 *   thread T0: for (i = n; ; i--) {           proctype T0 (_pid 0): i = N; each loop iteration is
 *     yield 'read a[i]';                      one d_step that reads a[i] once: if it is 0, leave
 *     if (a.load(i) === 0) return; }          the loop (the process ends), else i-- (local)
 *   thread Tj (j = 1..n):                     proctype T (_pid j = 1..N):
 *     yield 'read a[j-1]'; r = a.load(j-1)    r = a[j-1]   (one transition)
 *     yield 'write a[j]';  a.store(j, r+1)    a[j] = r + 1 (one transition)
 *
 * One shared access per transition, as one shared access per explorer step. T0 is declared first,
 * so it is _pid 0 and the writers are _pid 1..N (a writer's index is its _pid). There are no
 * assertions: both tools explore the whole state/trace space and find nothing. Compile with
 * -DN=<n>; by default N = 10.
 */
#ifndef N
#define N 10
#endif

byte a[N + 1];

active proctype T0() {
  byte i = N;
  do
  :: d_step { a[i] != 0 -> i-- }
  :: d_step { a[i] == 0 } -> break
  od
}

active [N] proctype T() {
  byte r;
  r = a[_pid - 1];
  a[_pid] = r + 1
}
