import { describe, expect, test } from 'vitest';
import { counterexampleOf, explore, SimMisuse, scenario } from '../../src/sim/index.ts';

/**
 * exit_mmap runs only once mm_users is 0 (kernel/fork.c mmput), so no task of the process can
 * fault on the mm during teardown. The builder refuses such a scenario (it would report a false
 * I17); a remote accessor races the exit legitimately through mmget_not_zero().
 */
describe('mm_users: exit_mmap vs other users of the mm', () => {
  test('a thread loading from A while another runs exit_mmap(A) is refused with SimMisuse (not a false I17)', () => {
    const s = scenario('fault vs exit', (k) => {
      const A = k.process('A', { pages: 1 });
      k.anonFolio(A, 0);
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('fault', (t) => t.load(A, 0));
    });
    expect(() => explore(s)).toThrow(SimMisuse);
    expect(() => explore(s)).toThrow(
      /mm_users: thread 'fault' runs load\(A, 0\) while thread 'exit' runs exit_mmap\(A\)/,
    );
  });

  test('zap, fork and gup of an exiting mm from another thread are refused too; use after exit in one thread as well', () => {
    for (const use of ['zap', 'gup', 'fork'] as const) {
      const s = scenario(`${use} vs exit`, (k) => {
        const A = k.process('A', { pages: 1 });
        k.anonFolio(A, 0);
        const C = k.child(A, 'C');
        k.thread('exit', (t) => t.exit_mmap(A));
        k.thread('other', (t) =>
          use === 'zap' ? t.zap(A, [0]) : use === 'gup' ? t.gup(A, 0) : t.fork(A, C),
        );
      });
      expect(() => explore(s)).toThrow(/mm_users: thread 'other'/);
    }
    const after = scenario('load after exit', (k) => {
      const A = k.process('A', { pages: 1 });
      k.thread('T', (t) => t.exit_mmap(A).load(A, 0));
    });
    expect(() => explore(after)).toThrow(/mm_users: load\(A, 0\) after exit_mmap\(A\) in the same thread/);
  });

  test('a remote access racing exit_mmap either is refused by mmget_not_zero or runs the teardown from its own mmput', () => {
    const s = scenario('remote access vs exit', (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0, { content: 3 });
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('remote', (t) => t.access_remote_vm(A, 0), { alloc: 1 });
      k.sometimes(
        "the remote access maps F's page after the owner's mmput(); its own mmput() runs exit_mmap",
        () => A.mm.mm_users === 0 && A.pt.peekPte(0).t === 'present',
        [A.mm, 'pt#A.pte[0]'],
      );
      k.always('F is mapped only while A is alive', () => !F.freed || A.pt.peekPte(0).t !== 'present', [
        F,
        'pt#A.pte[0]',
      ]);
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(r.exhaustive).toBe(true);
    expect(Object.values(r.witnesses).every((w) => w.reached)).toBe(true);
  });

  test('with mmget() instead of mmget_not_zero(), an access after exit_mmap() finished finds no VMA; one inside the teardown window touches a freed page table: I17', () => {
    const after = scenario(
      'remote access after exit',
      (k) => {
        const A = k.process('A', { pages: 1 });
        k.thread('T', (t) => t.exit_mmap(A).access_remote_vm(A, 0, 5), { alloc: 1 });
        k.always('A stays empty', () => A.pt.peekPte(0).t === 'none', ['pt#A.pte[0]']);
      },
      { mutate: 'mmget_after_exit' },
    );
    // exit_mmap() removed the VMA (remove_vma, __mt_destroy): find_vma fails, nothing is touched
    expect(explore(after).verdict).toBe('holds');
    const racing = scenario(
      'remote access racing exit',
      (k) => {
        const A = k.process('A', { pages: 1 });
        k.thread('exit', (t) => t.exit_mmap(A));
        k.thread('remote', (t) => t.access_remote_vm(A, 0, 5), { alloc: 4 });
      },
      { mutate: 'mmget_after_exit', guards: false },
    );
    const r = explore(racing);
    expect(r.verdict).toBe('breaks');
    expect(counterexampleOf(r, 'I17')?.preemptions).toBe(1);
    // the correct model: mmget_not_zero fails, nothing is touched
    const ok = explore(
      scenario('remote access after exit', (k) => {
        const A = k.process('A', { pages: 1 });
        k.thread('T', (t) => t.exit_mmap(A).access_remote_vm(A, 0, 5), { alloc: 1 });
        k.always('A stays empty', () => A.pt.peekPte(0).t === 'none', ['pt#A.pte[0]']);
      }),
    );
    expect(ok.verdict).toBe('holds');
  });
});
