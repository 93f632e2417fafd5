;; Multi-literal search for the masker's prefilter (literals.ts): every occurrence of any of up
;; to 128 literals (each matched exactly or ASCII-case-insensitively) in a byte range.
;; Source of literals-wasm.ts: after editing, run `npm run build:wasm`; a test checks they agree.
;;
;; Method (the "Teddy" idea): literals are put in 8 buckets; for each of a literal's first four
;; bytes, two 16-entry tables (low and high nibble) give the buckets that byte may belong to.
;; Sixteen positions are tested at once: a position is a candidate for bucket k when its byte
;; and the three after it all have bit k in both of their nibble lookups. Three bytes let
;; through about one position in 60 of plain ASCII text (letters share few high nibbles), and
;; each candidate costs a mispredicted branch; the fourth byte costs two lookups per block and
;; rejects nearly all of them. High nibbles come from a 16-bit lane shift and the nibble mask:
;; V8 has no byte shift on x64 and builds one from several instructions, which made the scan a
;; fifth slower. Only candidates are compared with the bucket's literals. The fingerprint
;; over-approximates, never misses.
;;
;; Memory layout, filled by literals.ts:
;;   0..127     nibble tables: lo1 hi1 lo2 hi2 lo3 hi3 lo4 hi4 (16 bytes each)
;;   128..383   per bucket, 32 literal ids (u8), 0xff ends a list
;;   384..399   scratch (the candidate lanes of one block)
;;   512..767   ASCII lower-case table
;;   1024..3071 per literal id, 16 bytes: offset of its bytes (u16), length (u8), folded (u8),
;;              then three u32 for its first four bytes: `or` (0x20 on folded letters), `mask`
;;              (0xff on bytes it has), `want` (its bytes, lower case where folded)
;;   3072..5119 literal bytes (folded literals stored in lower case)
(module
  (memory (export "memory") 1)

  ;; Appends (pos, id) for each literal of buckets `bb` found at `pos`; the new count, or -1
  ;; once `cap` hits would be exceeded. The first four bytes are compared as one word (the input
  ;; has readable slack past n), which rejects nearly every candidate at once.
  (func $verify (param $in i32) (param $n i32) (param $pos i32) (param $bb i32) (param $hits i32) (param $cap i32) (param $count i32) (result i32)
    (local $list i32) (local $id i32) (local $rec i32) (local $len i32) (local $lit i32) (local $fold i32) (local $t i32) (local $b i32) (local $at i32)
    (local.set $at (i32.add (local.get $in) (local.get $pos)))
    (block $buckets_done
      (loop $buckets
        (br_if $buckets_done (i32.eqz (local.get $bb)))
        (local.set $list (i32.add (i32.const 128) (i32.shl (i32.ctz (local.get $bb)) (i32.const 5))))
        (local.set $bb (i32.and (local.get $bb) (i32.sub (local.get $bb) (i32.const 1))))
        (block $ids_done
          (loop $ids
            (local.set $id (i32.load8_u (local.get $list)))
            (br_if $ids_done (i32.eq (local.get $id) (i32.const 255)))
            (local.set $list (i32.add (local.get $list) (i32.const 1)))
            (local.set $rec (i32.add (i32.const 1024) (i32.shl (local.get $id) (i32.const 4))))
            (block $mismatch
              (br_if $mismatch (i32.ne
                (i32.and (i32.or (i32.load align=1 (local.get $at)) (i32.load offset=4 (local.get $rec))) (i32.load offset=8 (local.get $rec)))
                (i32.load offset=12 (local.get $rec))))
              (local.set $len (i32.load8_u offset=2 (local.get $rec)))
              (br_if $mismatch (i32.gt_u (i32.add (local.get $pos) (local.get $len)) (local.get $n)))
              (local.set $lit (i32.add (i32.const 3072) (i32.load16_u (local.get $rec))))
              (local.set $fold (i32.load8_u offset=3 (local.get $rec)))
              (local.set $t (i32.const 4))
              (block $compared
                (loop $bytes
                  (br_if $compared (i32.ge_u (local.get $t) (local.get $len)))
                  (local.set $b (i32.load8_u (i32.add (local.get $at) (local.get $t))))
                  (if (local.get $fold) (then (local.set $b (i32.load8_u offset=512 (local.get $b)))))
                  (br_if $mismatch (i32.ne (local.get $b) (i32.load8_u (i32.add (local.get $lit) (local.get $t)))))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))
                  (br $bytes)))
              (if (i32.ge_u (local.get $count) (local.get $cap)) (then (return (i32.const -1))))
              (i32.store (i32.add (local.get $hits) (i32.shl (local.get $count) (i32.const 3))) (local.get $pos))
              (i32.store offset=4 (i32.add (local.get $hits) (i32.shl (local.get $count) (i32.const 3))) (local.get $id))
              (local.set $count (i32.add (local.get $count) (i32.const 1))))
            (br $ids)))
        (br $buckets)))
    (local.get $count))

  ;; The buckets the bytes at `pos` may start a literal of, looking only at bytes before `n`.
  (func $bucketsAt (param $in i32) (param $n i32) (param $pos i32) (result i32)
    (local $b i32) (local $m i32)
    (local.set $b (i32.load8_u (i32.add (local.get $in) (local.get $pos))))
    (local.set $m (i32.and (i32.load8_u (i32.and (local.get $b) (i32.const 15)))
                           (i32.load8_u offset=16 (i32.shr_u (local.get $b) (i32.const 4)))))
    (if (i32.lt_u (i32.add (local.get $pos) (i32.const 1)) (local.get $n))
      (then
        (local.set $b (i32.load8_u offset=1 (i32.add (local.get $in) (local.get $pos))))
        (local.set $m (i32.and (local.get $m) (i32.and (i32.load8_u offset=32 (i32.and (local.get $b) (i32.const 15)))
                                                       (i32.load8_u offset=48 (i32.shr_u (local.get $b) (i32.const 4))))))))
    (if (i32.lt_u (i32.add (local.get $pos) (i32.const 2)) (local.get $n))
      (then
        (local.set $b (i32.load8_u offset=2 (i32.add (local.get $in) (local.get $pos))))
        (local.set $m (i32.and (local.get $m) (i32.and (i32.load8_u offset=64 (i32.and (local.get $b) (i32.const 15)))
                                                       (i32.load8_u offset=80 (i32.shr_u (local.get $b) (i32.const 4))))))))
    (if (i32.lt_u (i32.add (local.get $pos) (i32.const 3)) (local.get $n))
      (then
        (local.set $b (i32.load8_u offset=3 (i32.add (local.get $in) (local.get $pos))))
        (local.set $m (i32.and (local.get $m) (i32.and (i32.load8_u offset=96 (i32.and (local.get $b) (i32.const 15)))
                                                       (i32.load8_u offset=112 (i32.shr_u (local.get $b) (i32.const 4))))))))
    (local.get $m))

  ;; Finds every literal in the n bytes at `in` (which must be followed by 32 readable bytes);
  ;; writes (position, id) pairs of u32 at `hits`, by position; returns their number, or -1
  ;; when there would be more than `cap`.
  ;;
  ;; Each block of 16 bytes is loaded once and its nibbles split once; the four lookups say, per
  ;; byte, which buckets it fits as a literal's first, second, third and fourth byte. A literal
  ;; may start at p when byte p fits as first, p+1 as second and so on: the block's results are
  ;; joined with the previous block's, shifted so that lane p lines up the bytes p-3 .. p, which
  ;; names the candidates starting three bytes earlier. Starts the last block cannot line up yet
  ;; (its final three bytes, and any bytes past the last whole block) go through $bucketsAt.
  (func (export "find") (param $in i32) (param $n i32) (param $hits i32) (param $cap i32) (result i32)
    (local $i i32) (local $count i32) (local $bits i32) (local $k i32) (local $pos i32)
    (local $v v128) (local $m v128) (local $lo v128) (local $hi v128)
    (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128)
    (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128) (local $lo3 v128) (local $hi3 v128) (local $lo4 v128) (local $hi4 v128) (local $nib v128)
    (local.set $lo1 (v128.load (i32.const 0)))
    (local.set $hi1 (v128.load (i32.const 16)))
    (local.set $lo2 (v128.load (i32.const 32)))
    (local.set $hi2 (v128.load (i32.const 48)))
    (local.set $lo3 (v128.load (i32.const 64)))
    (local.set $hi3 (v128.load (i32.const 80)))
    (local.set $lo4 (v128.load (i32.const 96)))
    (local.set $hi4 (v128.load (i32.const 112)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $v (v128.load align=1 (i32.add (local.get $in) (local.get $i))))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nib)))
        (local.set $r1 (v128.and (i8x16.swizzle (local.get $lo1) (local.get $lo)) (i8x16.swizzle (local.get $hi1) (local.get $hi))))
        (local.set $r2 (v128.and (i8x16.swizzle (local.get $lo2) (local.get $lo)) (i8x16.swizzle (local.get $hi2) (local.get $hi))))
        (local.set $r3 (v128.and (i8x16.swizzle (local.get $lo3) (local.get $lo)) (i8x16.swizzle (local.get $hi3) (local.get $hi))))
        (local.set $r4 (v128.and (i8x16.swizzle (local.get $lo4) (local.get $lo)) (i8x16.swizzle (local.get $hi4) (local.get $hi))))
        ;; Lane p of (previous ++ current) shifted: r1 at p-3, r2 at p-2, r3 at p-1, r4 at p.
        (local.set $m (v128.and
          (v128.and
            (i8x16.shuffle 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 (local.get $p1) (local.get $r1))
            (i8x16.shuffle 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 (local.get $p2) (local.get $r2)))
          (v128.and
            (i8x16.shuffle 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 (local.get $p3) (local.get $r3))
            (local.get $r4))))
        (local.set $p1 (local.get $r1))
        (local.set $p2 (local.get $r2))
        (local.set $p3 (local.get $r3))
        (if (v128.any_true (local.get $m))
          (then
            (v128.store (i32.const 384) (local.get $m))
            (local.set $bits (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i64x2 0 0))))
            (block $lanes_done
              (loop $lanes
                (br_if $lanes_done (i32.eqz (local.get $bits)))
                (local.set $k (i32.ctz (local.get $bits)))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                ;; In the first block, lanes 0-2 met the zeroed "previous" results: never here.
                (local.set $count (call $verify (local.get $in) (local.get $n) (i32.sub (i32.add (local.get $i) (local.get $k)) (i32.const 3))
                  (i32.load8_u offset=384 (local.get $k)) (local.get $hits) (local.get $cap) (local.get $count)))
                (if (i32.lt_s (local.get $count) (i32.const 0)) (then (return (i32.const -1))))
                (br $lanes)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    ;; Starts from three bytes before the first byte no block covered.
    (if (i32.ge_u (local.get $i) (i32.const 3)) (then (local.set $i (i32.sub (local.get $i) (i32.const 3)))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (call $bucketsAt (local.get $in) (local.get $n) (local.get $i)))
        (if (local.get $k)
          (then
            (local.set $count (call $verify (local.get $in) (local.get $n) (local.get $i) (local.get $k) (local.get $hits) (local.get $cap) (local.get $count)))
            (if (i32.lt_s (local.get $count) (i32.const 0)) (then (return (i32.const -1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $count)))
