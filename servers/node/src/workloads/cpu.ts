/** The contract's prime count: trial division, the same loop as the Python servers. */

function isPrime(k: number): boolean {
  if (k < 4) return k >= 2;
  if (k % 2 === 0) return false;
  for (let d = 3; d * d <= k; d += 2) {
    if (k % d === 0) return false;
  }
  return true;
}

export function countPrimes(n: number): number {
  let count = 0;
  for (let k = 2; k <= n; k++) {
    if (isPrime(k)) count++;
  }
  return count;
}
