;; The IRP selector's sums (kernel/selector: irpOf), two symbols at a time in f64x2 lanes and
;; without branches: a return's sign is a coin toss no processor predicts. Lane by lane each
;; sum takes the same IEEE additions in the same order as the scalar loop; a return that does
;; not count adds +0.0 (its mask is all zeros), which leaves the sum bit for bit as it was,
;; since neither sum is ever -0.0 (both start at +0.0 and only grow).
;; `down` adds -(d*r), which is (-d)*r exactly: d is +1 or -1.
(module
  (import "env" "memory" (memory 1))
  ;; sums(list, count, n, d, out): for k in [0, count), the window of n returns starting at
  ;; byte address list[k] (an i32 at list + 4k); writes up, down and the count of aligned
  ;; returns (as f64) at out + 24k.
  (func (export "sums") (param $list i32) (param $count i32) (param $n i32) (param $d f64) (param $out i32)
    (local $k i32) (local $a i32) (local $b i32) (local $t i32)
    (local $dv v128) (local $r v128) (local $dr v128) (local $gt v128) (local $lt v128)
    (local $up v128) (local $down v128) (local $al v128) (local $o i32)
    (local.set $dv (f64x2.splat (local.get $d)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (local.get $k) (local.get $count)))
        (local.set $a (i32.load (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 2)))))
        ;; An odd last symbol pairs with itself.
        (local.set $b
          (if (result i32) (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $count))
            (then (i32.load (i32.add (local.get $list) (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 2)))))
            (else (local.get $a))))
        (local.set $up (v128.const i64x2 0 0))
        (local.set $down (v128.const i64x2 0 0))
        (local.set $al (v128.const i64x2 0 0))
        (local.set $t (i32.const 0))
        (block $end
          (loop $steps
            (br_if $end (i32.ge_s (local.get $t) (local.get $n)))
            (local.set $r (v128.load64_zero (local.get $a)))
            (local.set $r (v128.load64_lane 1 (local.get $b) (local.get $r)))
            (local.set $dr (f64x2.mul (local.get $dv) (local.get $r)))
            (local.set $gt (f64x2.gt (local.get $dr) (v128.const f64x2 0 0)))
            (local.set $lt (f64x2.lt (local.get $dr) (v128.const f64x2 0 0)))
            (local.set $up (f64x2.add (local.get $up) (v128.and (local.get $dr) (local.get $gt))))
            (local.set $down (f64x2.add (local.get $down) (v128.and (f64x2.neg (local.get $dr)) (local.get $lt))))
            (local.set $al (i64x2.sub (local.get $al) (local.get $gt)))
            (local.set $a (i32.add (local.get $a) (i32.const 8)))
            (local.set $b (i32.add (local.get $b) (i32.const 8)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $steps)))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $k) (i32.const 24))))
        (f64.store (local.get $o) (f64x2.extract_lane 0 (local.get $up)))
        (f64.store offset=8 (local.get $o) (f64x2.extract_lane 0 (local.get $down)))
        (f64.store offset=16 (local.get $o) (f64.convert_i64_s (i64x2.extract_lane 0 (local.get $al))))
        (if (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $count))
          (then
            (local.set $o (i32.add (local.get $o) (i32.const 24)))
            (f64.store (local.get $o) (f64x2.extract_lane 1 (local.get $up)))
            (f64.store offset=8 (local.get $o) (f64x2.extract_lane 1 (local.get $down)))
            (f64.store offset=16 (local.get $o) (f64.convert_i64_s (i64x2.extract_lane 1 (local.get $al))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pairs)))))
