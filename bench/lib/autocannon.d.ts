// The part of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    duration?: number
    pipelining?: number
    headers?: Record<string, string>
    timeout?: number
  }
  interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    latency: { p50: number; p99: number; average: number }
    requests: { total: number; average: number }
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
