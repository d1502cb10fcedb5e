import type { Store } from '../../src/store/types.js';

/**
 * Wraps the authorization server's real store and counts every refresh-token rotation it is
 * asked for (each refresh grant that reaches the store), whatever its outcome. Nothing is faked:
 * every call goes to the real store.
 */
export function countRefreshRotations(): { wrap: (store: Store) => Store; count: () => number } {
  let rotations = 0;
  const wrap = (store: Store): Store => {
    const grants = new Proxy(store.grants, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (typeof property === 'string' && /^(rotate|spend)RefreshToken$/.test(property)) {
          return (...args: unknown[]) => {
            rotations++;
            return method.apply(target, args);
          };
        }
        return method.bind(target);
      },
    });
    return { ...store, grants, sweep: (now) => store.sweep(now), close: () => store.close() };
  };
  return { wrap, count: () => rotations };
}
