import wabt from 'wabt'

/** Assembles WebAssembly text (the `wabt` package) for the WASM runner's tests. */
export async function assembleWat(source: string): Promise<Uint8Array> {
  const toolkit = await wabt()
  const module = toolkit.parseWat('test.wat', source)
  try {
    return new Uint8Array(module.toBinary({}).buffer)
  } finally {
    module.destroy()
  }
}

const wasi = (name: string, params: string, result = '(result i32)') =>
  `(import "wasi_snapshot_preview1" "${name}" (func $${name} (param ${params}) ${result}))`

/**
 * Reads /in/data, then writes /out/result: the input's bytes, argv (NUL-separated), 8 bytes of
 * random_get and the realtime clock (8 bytes little-endian after 8 zero bytes).
 */
export const echoWat = `(module
  ${wasi('path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32')}
  ${wasi('fd_read', 'i32 i32 i32 i32')}
  ${wasi('fd_write', 'i32 i32 i32 i32')}
  ${wasi('args_sizes_get', 'i32 i32')}
  ${wasi('args_get', 'i32 i32')}
  ${wasi('random_get', 'i32 i32')}
  ${wasi('clock_time_get', 'i32 i64 i32')}
  ${wasi('proc_exit', 'i32', '')}
  (memory (export "memory") 1)
  (data (i32.const 100) "data")
  (data (i32.const 110) "result")
  (func $check (param i32)
    (if (local.get 0) (then (call $proc_exit (i32.add (i32.const 10) (local.get 0))))))
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 200) (local.get $ptr))
    (i32.store (i32.const 204) (local.get $len))
    (call $check (call $fd_write (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 300))))
  (func (export "_start") (local $n i32) (local $out i32)
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 4)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 304)))
    (i32.store (i32.const 200) (i32.const 8192))
    (i32.store (i32.const 204) (i32.const 4096))
    (call $check (call $fd_read (i32.load (i32.const 304)) (i32.const 200) (i32.const 1) (i32.const 300)))
    (local.set $n (i32.load (i32.const 300)))
    (call $check (call $path_open (i32.const 4) (i32.const 0) (i32.const 110) (i32.const 6)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 308)))
    (local.set $out (i32.load (i32.const 308)))
    (call $write (local.get $out) (i32.const 8192) (local.get $n))
    (call $check (call $args_sizes_get (i32.const 400) (i32.const 404)))
    (call $check (call $args_get (i32.const 1000) (i32.const 2000)))
    (call $write (local.get $out) (i32.const 2000) (i32.load (i32.const 404)))
    (call $check (call $random_get (i32.const 600) (i32.const 8)))
    (call $check (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 616)))
    (call $write (local.get $out) (i32.const 600) (i32.const 24))))`

/** The manifest of an `echoWat` solution: cheap enough for a thousand orders on two cores. */
export const echoManifest = {
  name: 'echo',
  version: '1.0.0',
  runner: 'wasm',
  entry: 'main.wasm',
  inputs: [{ name: 'data', maxBytes: 4096 }],
  outputs: [{ name: 'result' }],
  limits: { memoryMiB: 64, timeoutMs: 2_000 },
} as const

/** Never ends. */
export const loopWat = `(module (memory (export "memory") 1)
  (func (export "_start") (loop $forever (br $forever))))`

/** Grows its memory until it cannot, then traps. */
export const growWat = `(module (memory (export "memory") 1)
  (func (export "_start")
    (loop $more
      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
      (br $more))))`

/** Traps at once. */
export const trapWat = `(module (memory (export "memory") 1) (func (export "_start") unreachable))`
