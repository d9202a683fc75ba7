// js-libp2p 3 calls Promise.withResolvers, which Node 20 lacks (a dial then ends in a bare ECONNRESET).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
