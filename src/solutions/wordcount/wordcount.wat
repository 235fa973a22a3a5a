;; wordcount: counts the lines, words, characters and bytes of a text, as `wc` does.
;;
;; A WASI preview 1 program for BOCC's wasm runner (docs/protocol.md, "Runners"). It reads the
;; input /in/text in 64 KiB chunks and writes /out/counts, one line of JSON:
;;   {"lines":L,"words":W,"characters":C,"bytes":B}
;; lines: newline bytes; words: runs of bytes other than ASCII white space (space, \t \n \v \f \r);
;; characters: UTF-8 code points (bytes that do not continue a sequence); bytes: the input's size.
;; It imports only what it uses, keeps nothing between runs and exits 10 + errno on a WASI error.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; 16: an iovec (address, length); 24: bytes read or written; 28: the input's fd; 32: the
  ;; output's; 40..63: digits; 64..: names; 200..: JSON text; 512..: the output line;
  ;; 65536..131071: the input chunk.
  (memory (export "memory") 2)
  (data (i32.const 64) "text")
  (data (i32.const 72) "counts")
  (data (i32.const 200) "{\"lines\":")
  (data (i32.const 210) ",\"words\":")
  (data (i32.const 220) ",\"characters\":")
  (data (i32.const 240) ",\"bytes\":")
  (data (i32.const 250) "}\n")
  (global $end (mut i32) (i32.const 512))

  (func $check (param $errno i32)
    (if (local.get $errno)
      (then (call $proc_exit (i32.add (i32.const 10) (local.get $errno))))))

  ;; Appends `length` bytes from `from` to the output line.
  (func $append (param $from i32) (param $length i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (i32.store8 (i32.add (global.get $end) (local.get $i))
          (i32.load8_u (i32.add (local.get $from) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $end (i32.add (global.get $end) (local.get $length))))

  ;; Appends `value` in decimal: digits are written backwards from 63, then copied.
  (func $appendNumber (param $value i64)
    (local $at i32)
    (local.set $at (i32.const 64))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $value) (i64.const 0))))
    (call $append (local.get $at) (i32.sub (i32.const 64) (local.get $at))))

  (func (export "_start")
    (local $read i32) (local $i i32) (local $byte i32) (local $inWord i32) (local $written i32)
    (local $lines i64) (local $words i64) (local $characters i64) (local $bytes i64)
    ;; /in is the first preopened directory (fd 3): open "text" in it, to read (rights: fd_read).
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 4)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 28)))
    (block $eof
      (loop $chunk
        (i32.store (i32.const 16) (i32.const 65536))
        (i32.store (i32.const 20) (i32.const 65536))
        (call $check (call $fd_read (i32.load (i32.const 28)) (i32.const 16) (i32.const 1)
          (i32.const 24)))
        (local.set $read (i32.load (i32.const 24)))
        (br_if $eof (i32.eqz (local.get $read)))
        (local.set $bytes (i64.add (local.get $bytes) (i64.extend_i32_u (local.get $read))))
        (local.set $i (i32.const 0))
        (block $counted
          (loop $next
            (br_if $counted (i32.ge_u (local.get $i) (local.get $read)))
            (local.set $byte (i32.load8_u (i32.add (i32.const 65536) (local.get $i))))
            (if (i32.eq (local.get $byte) (i32.const 10))
              (then (local.set $lines (i64.add (local.get $lines) (i64.const 1)))))
            (if (i32.ne (i32.and (local.get $byte) (i32.const 0xc0)) (i32.const 0x80))
              (then (local.set $characters (i64.add (local.get $characters) (i64.const 1)))))
            (if (i32.or (i32.eq (local.get $byte) (i32.const 32))
                  (i32.le_u (i32.sub (local.get $byte) (i32.const 9)) (i32.const 4)))
              (then (local.set $inWord (i32.const 0)))
              (else
                (if (i32.eqz (local.get $inWord))
                  (then
                    (local.set $words (i64.add (local.get $words) (i64.const 1)))
                    (local.set $inWord (i32.const 1))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (br $chunk)))
    (call $append (i32.const 200) (i32.const 9))
    (call $appendNumber (local.get $lines))
    (call $append (i32.const 210) (i32.const 9))
    (call $appendNumber (local.get $words))
    (call $append (i32.const 220) (i32.const 14))
    (call $appendNumber (local.get $characters))
    (call $append (i32.const 240) (i32.const 9))
    (call $appendNumber (local.get $bytes))
    (call $append (i32.const 250) (i32.const 2))
    ;; /out is the second (fd 4): create "counts" (oflags creat | trunc), to write (fd_write).
    (call $check (call $path_open (i32.const 4) (i32.const 0) (i32.const 72) (i32.const 6)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 32)))
    (local.set $written (i32.const 512))
    (block $all
      (loop $more
        (br_if $all (i32.ge_u (local.get $written) (global.get $end)))
        (i32.store (i32.const 16) (local.get $written))
        (i32.store (i32.const 20) (i32.sub (global.get $end) (local.get $written)))
        (call $check (call $fd_write (i32.load (i32.const 32)) (i32.const 16) (i32.const 1)
          (i32.const 24)))
        (local.set $written (i32.add (local.get $written) (i32.load (i32.const 24))))
        (br $more)))))
