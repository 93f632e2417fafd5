;; JSON string escaping of UTF-8 bytes with 128-bit SIMD, for the recording worker (escape.ts).
;; Source of escape-wasm.ts: after editing, run `npm run build:wasm`; a test checks they agree.
;;
;; Memory layout is the caller's: bytes [0, 2048) are a table of 256 eight-byte entries, one per
;; byte value: bytes 0..5 hold the escape JSON writes for it, byte 7 its length (0: copied as is).
;; `escape(in, n, out)` reads n bytes at `in`, writes at `out` (which must not overlap them and
;; must have 16 bytes of slack past the worst case, 6n) and returns the end of what it wrote.
;; It assumes valid UTF-8, where JSON only escapes bytes < 0x20, '"' and '\'.
(module
  (memory (export "memory") 1)
  (func (export "escape") (param $in i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $o i32) (local $v v128) (local $bits i32) (local $k i32) (local $c i32) (local $e i32)
    (local.set $o (local.get $out))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $v (v128.load align=1 (i32.add (local.get $in) (local.get $i))))
        ;; Stored before it is checked: if a byte needs escaping, only the bytes before it count,
        ;; and the rest is overwritten by what follows.
        (v128.store align=1 (local.get $o) (local.get $v))
        (local.set $bits (i8x16.bitmask (v128.or (v128.or
          (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
          (i8x16.eq (local.get $v) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22)))
          (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))))
        (if (i32.eqz (local.get $bits))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $blocks)))
        ;; Keep the clean bytes before the first hit, write its escape, and go on right after it.
        (local.set $k (i32.ctz (local.get $bits)))
        (local.set $i (i32.add (local.get $i) (local.get $k)))
        (local.set $o (i32.add (local.get $o) (local.get $k)))
        (local.set $e (i32.shl (i32.load8_u (i32.add (local.get $in) (local.get $i))) (i32.const 3)))
        (i64.store align=1 (local.get $o) (i64.load (local.get $e)))
        (local.set $o (i32.add (local.get $o) (i32.load8_u offset=7 (local.get $e))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $blocks)))
    ;; The last 0..15 bytes, one at a time.
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (local.get $in) (local.get $i))))
        (local.set $e (i32.shl (local.get $c) (i32.const 3)))
        (if (i32.load8_u offset=7 (local.get $e))
          (then
            (i64.store align=1 (local.get $o) (i64.load (local.get $e)))
            (local.set $o (i32.add (local.get $o) (i32.load8_u offset=7 (local.get $e)))))
          (else
            (i32.store8 (local.get $o) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $o)))
