;; The scanner's hot loops over one window (src/scanner/windows.ts lays out the memory):
;; sliding the sums, rebuilding them, the correlation matrix and the power iteration.
;; Matrices are np × np, row-major, np a multiple of 4 (padding rows and columns are
;; zero), symmetric and kept in blocks of 4 × 4 on and above the diagonal only: row a holds
;; columns from a's block (a rounded down to a multiple of 4) on; what lies left of that is
;; never read (nor written here). Pointers are byte offsets, 16-aligned. Every float operation is IEEE double,
;; lane by lane, in the order written here: results do not depend on the machine.
;; Regenerate src/scanner/kernel-wasm.ts after an edit: npm run wasm.
(module
  (import "env" "memory" (memory 1))

  ;; Iterations of the last `power` call.
  (global $iterations (export "iterations") (mut i32) (i32.const 0))

  ;; s1[a] = (s1[a] + r[a]) − o[a]; s2[a][b] = (s2[a][b] + r[a]·r[b]) − o[a]·o[b] (b kept).
  ;; o: the returns leaving the window (a zero row when none leave).
  (func (export "slide") (param $s1 i32) (param $s2 i32) (param $r i32) (param $o i32) (param $np i32)
    (local $a i32) (local $b i32) (local $row i32) (local $p i32)
    (local $ra f64) (local $oa f64) (local $vr v128) (local $vo v128)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $a) (local.get $np)))
      (local.set $ra (f64.load (i32.add (local.get $r) (i32.shl (local.get $a) (i32.const 3)))))
      (local.set $oa (f64.load (i32.add (local.get $o) (i32.shl (local.get $a) (i32.const 3)))))
      (local.set $p (i32.add (local.get $s1) (i32.shl (local.get $a) (i32.const 3))))
      (f64.store (local.get $p)
        (f64.sub (f64.add (f64.load (local.get $p)) (local.get $ra)) (local.get $oa)))
      (local.set $vr (f64x2.splat (local.get $ra)))
      (local.set $vo (f64x2.splat (local.get $oa)))
      (local.set $row (i32.add (local.get $s2)
        (i32.shl (i32.mul (local.get $a) (local.get $np)) (i32.const 3))))
      (local.set $b (i32.and (local.get $a) (i32.const -4)))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $b) (local.get $np)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))))
        (v128.store (local.get $p)
          (f64x2.sub
            (f64x2.add (v128.load (local.get $p))
              (f64x2.mul (local.get $vr)
                (v128.load (i32.add (local.get $r) (i32.shl (local.get $b) (i32.const 3))))))
            (f64x2.mul (local.get $vo)
              (v128.load (i32.add (local.get $o) (i32.shl (local.get $b) (i32.const 3)))))))
        (v128.store offset=16 (local.get $p)
          (f64x2.sub
            (f64x2.add (v128.load offset=16 (local.get $p))
              (f64x2.mul (local.get $vr)
                (v128.load offset=16 (i32.add (local.get $r) (i32.shl (local.get $b) (i32.const 3))))))
            (f64x2.mul (local.get $vo)
              (v128.load offset=16 (i32.add (local.get $o) (i32.shl (local.get $b) (i32.const 3)))))))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $cols)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $rows))))

  ;; s1[a] = s1[a] + r[a]; s2[a][b] = s2[a][b] + r[a]·r[b] (the sums rebuilt, oldest first).
  (func (export "accumulate") (param $s1 i32) (param $s2 i32) (param $r i32) (param $np i32)
    (local $a i32) (local $b i32) (local $row i32) (local $p i32) (local $ra f64) (local $vr v128)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $a) (local.get $np)))
      (local.set $ra (f64.load (i32.add (local.get $r) (i32.shl (local.get $a) (i32.const 3)))))
      (local.set $p (i32.add (local.get $s1) (i32.shl (local.get $a) (i32.const 3))))
      (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $ra)))
      (local.set $vr (f64x2.splat (local.get $ra)))
      (local.set $row (i32.add (local.get $s2)
        (i32.shl (i32.mul (local.get $a) (local.get $np)) (i32.const 3))))
      (local.set $b (i32.and (local.get $a) (i32.const -4)))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $b) (local.get $np)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $b) (i32.const 3))))
        (v128.store (local.get $p)
          (f64x2.add (v128.load (local.get $p))
            (f64x2.mul (local.get $vr)
              (v128.load (i32.add (local.get $r) (i32.shl (local.get $b) (i32.const 3)))))))
        (v128.store offset=16 (local.get $p)
          (f64x2.add (v128.load offset=16 (local.get $p))
            (f64x2.mul (local.get $vr)
              (v128.load offset=16 (i32.add (local.get $r) (i32.shl (local.get $b) (i32.const 3)))))))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $cols)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $rows))))

  ;; c[a][b] = (s2[a][b] − (s1[a]·s1[b])·(1/w)) · (inv[a]·inv[b]) for the b kept: exactly
  ;; symmetric, zero in the rows and columns of assets with inv = 0. Returns ‖c‖F²: the
  ;; diagonal blocks' squares D and the other kept ones' O, each summed in four lanes
  ;; (0 + 2, 1 + 3, then those two), as D + 2·O.
  (func (export "build") (param $s1 i32) (param $s2 i32) (param $inv i32) (param $c i32)
    (param $np i32) (param $w f64) (result f64)
    (local $a i32) (local $b i32) (local $blk i32) (local $off i32) (local $boff i32)
    (local $vs v128) (local $vi v128) (local $vw v128) (local $x v128) (local $y v128)
    (local $d0 v128) (local $d1 v128) (local $o0 v128) (local $o1 v128)
    (local.set $vw (f64x2.splat (f64.div (f64.const 1) (local.get $w))))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $a) (local.get $np)))
      (local.set $vs (f64x2.splat
        (f64.load (i32.add (local.get $s1) (i32.shl (local.get $a) (i32.const 3))))))
      (local.set $vi (f64x2.splat
        (f64.load (i32.add (local.get $inv) (i32.shl (local.get $a) (i32.const 3))))))
      (local.set $blk (i32.and (local.get $a) (i32.const -4)))
      (local.set $b (local.get $blk))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $b) (local.get $np)))
        (local.set $off (i32.shl (i32.add (i32.mul (local.get $a) (local.get $np)) (local.get $b))
          (i32.const 3)))
        (local.set $boff (i32.shl (local.get $b) (i32.const 3)))
        (local.set $x
          (f64x2.mul
            (f64x2.sub (v128.load (i32.add (local.get $s2) (local.get $off)))
              (f64x2.mul
                (f64x2.mul (local.get $vs) (v128.load (i32.add (local.get $s1) (local.get $boff))))
                (local.get $vw)))
            (f64x2.mul (local.get $vi) (v128.load (i32.add (local.get $inv) (local.get $boff))))))
        (local.set $y
          (f64x2.mul
            (f64x2.sub (v128.load offset=16 (i32.add (local.get $s2) (local.get $off)))
              (f64x2.mul
                (f64x2.mul (local.get $vs)
                  (v128.load offset=16 (i32.add (local.get $s1) (local.get $boff))))
                (local.get $vw)))
            (f64x2.mul (local.get $vi)
              (v128.load offset=16 (i32.add (local.get $inv) (local.get $boff))))))
        (v128.store (i32.add (local.get $c) (local.get $off)) (local.get $x))
        (v128.store offset=16 (i32.add (local.get $c) (local.get $off)) (local.get $y))
        (if (i32.eq (local.get $b) (local.get $blk))
          (then
            (local.set $d0 (f64x2.add (local.get $d0) (f64x2.mul (local.get $x) (local.get $x))))
            (local.set $d1 (f64x2.add (local.get $d1) (f64x2.mul (local.get $y) (local.get $y)))))
          (else
            (local.set $o0 (f64x2.add (local.get $o0) (f64x2.mul (local.get $x) (local.get $x))))
            (local.set $o1 (f64x2.add (local.get $o1) (f64x2.mul (local.get $y) (local.get $y))))))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $cols)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $rows)))
    (local.set $d0 (f64x2.add (local.get $d0) (local.get $d1)))
    (local.set $o0 (f64x2.add (local.get $o0) (local.get $o1)))
    (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $d0)) (f64x2.extract_lane 1 (local.get $d0)))
      (f64.mul (f64.const 2)
        (f64.add (f64x2.extract_lane 0 (local.get $o0)) (f64x2.extract_lane 1 (local.get $o0))))))

  ;; v ← v / ‖v‖ over np entries; false when ‖v‖ is 0 (or not a number).
  (func $normalize (param $v i32) (param $np i32) (result i32)
    (local $i i32) (local $n f64) (local $x f64) (local $s f64) (local $p i32)
    (block $done (loop $sum
      (br_if $done (i32.ge_u (local.get $i) (local.get $np)))
      (local.set $x (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $n (f64.add (local.get $n) (f64.mul (local.get $x) (local.get $x))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sum)))
    (if (i32.eqz (f64.gt (local.get $n) (f64.const 0))) (then (return (i32.const 0))))
    (local.set $s (f64.div (f64.const 1) (f64.sqrt (local.get $n))))
    (local.set $i (i32.const 0))
    (block $done2 (loop $scale
      (br_if $done2 (i32.ge_u (local.get $i) (local.get $np)))
      (local.set $p (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))))
      (f64.store (local.get $p) (f64.mul (f64.load (local.get $p)) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scale)))
    (i32.const 1))

  ;; Power iteration on the positive semidefinite matrix c from v (overwritten with the
  ;; eigenvector; y is work space). The Rayleigh quotient θ of a unit v with residual
  ;; r = cv − θv lies within ‖r‖²/δ of λmax, δ the gap to the rest of the spectrum, bounded
  ;; below by θ − √(‖c‖F² − θ²). Returns θ once ‖r‖²/δ ≤ tol·θ, NaN after maxIter
  ;; iterations (or from a zero v). ‖r‖² and ‖y‖² sum in four lanes (0 + 2, 1 + 3, then
  ;; those two).
  (func (export "power") (param $c i32) (param $v i32) (param $y i32) (param $np i32)
    (param $frob f64) (param $tol f64) (param $maxIter i32) (result f64)
    (local $it i32) (local $i i32) (local $j i32) (local $row i32)
    (local $acc0 v128) (local $acc1 v128) (local $s f64) (local $theta f64) (local $r2 f64)
    (local $rest f64) (local $gap f64) (local $p i32) (local $q i32) (local $norm f64)
    (local $vi v128) (local $c0 v128) (local $c1 v128)
    (local $vt v128) (local $vy v128) (local $vd v128)
    (global.set $iterations (i32.const 0))
    (if (i32.eqz (call $normalize (local.get $v) (local.get $np)))
      (then (return (f64.const nan))))
    (block $fail (loop $iterate
      (local.set $it (i32.add (local.get $it) (i32.const 1)))
      (br_if $fail (i32.gt_s (local.get $it) (local.get $maxIter)))
      (global.set $iterations (local.get $it))
      ;; y = c·v from the kept blocks: row i's diagonal block by a dot product; each block
      ;; right of it both into y[i] (dot) and, by symmetry, into y[j] += c[i][j]·v[i]. Row
      ;; i's dot sums in four lanes (0 + 2, 1 + 3, then those two) and is added to what the
      ;; rows above gave y[i]; θ = Σ y[i]·v[i] in row order.
      (local.set $i (i32.const 0))
      (block $zero_done (loop $zero
        (br_if $zero_done (i32.ge_u (local.get $i) (local.get $np)))
        (v128.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))
          (v128.const f64x2 0 0))
        (v128.store offset=16 (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))
          (v128.const f64x2 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $zero)))
      (local.set $theta (f64.const 0))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $np)))
        (local.set $row (i32.add (local.get $c)
          (i32.shl (i32.mul (local.get $i) (local.get $np)) (i32.const 3))))
        (local.set $vi (f64x2.splat
          (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $j (i32.and (local.get $i) (i32.const -4)))
        (local.set $p (i32.shl (local.get $j) (i32.const 3)))
        (local.set $acc0 (f64x2.mul (v128.load (i32.add (local.get $row) (local.get $p)))
          (v128.load (i32.add (local.get $v) (local.get $p)))))
        (local.set $acc1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $row) (local.get $p)))
          (v128.load offset=16 (i32.add (local.get $v) (local.get $p)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_u (local.get $j) (local.get $np)))
          (local.set $p (i32.shl (local.get $j) (i32.const 3)))
          (local.set $c0 (v128.load (i32.add (local.get $row) (local.get $p))))
          (local.set $c1 (v128.load offset=16 (i32.add (local.get $row) (local.get $p))))
          (local.set $acc0 (f64x2.add (local.get $acc0)
            (f64x2.mul (local.get $c0) (v128.load (i32.add (local.get $v) (local.get $p))))))
          (local.set $acc1 (f64x2.add (local.get $acc1)
            (f64x2.mul (local.get $c1) (v128.load offset=16 (i32.add (local.get $v) (local.get $p))))))
          (local.set $q (i32.add (local.get $y) (local.get $p)))
          (v128.store (local.get $q)
            (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $c0) (local.get $vi))))
          (v128.store offset=16 (local.get $q)
            (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $c1) (local.get $vi))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $cols)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc0))
          (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $p (i32.shl (local.get $i) (i32.const 3)))
        (local.set $q (i32.add (local.get $y) (local.get $p)))
        (local.set $s (f64.add (f64.load (local.get $q)) (local.get $s)))
        (f64.store (local.get $q) (local.get $s))
        (local.set $theta (f64.add (local.get $theta)
          (f64.mul (local.get $s) (f64.load (i32.add (local.get $v) (local.get $p))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
      ;; r = y − θv and ‖y‖², four lanes at a time; then v ← y / ‖y‖.
      (local.set $vt (f64x2.splat (local.get $theta)))
      (local.set $acc0 (v128.const f64x2 0 0))
      (local.set $acc1 (v128.const f64x2 0 0))
      (local.set $i (i32.const 0))
      (block $res_done (loop $res
        (br_if $res_done (i32.ge_u (local.get $i) (local.get $np)))
        (local.set $p (i32.shl (local.get $i) (i32.const 3)))
        (local.set $vy (v128.load (i32.add (local.get $y) (local.get $p))))
        (local.set $vd (f64x2.sub (local.get $vy)
          (f64x2.mul (local.get $vt) (v128.load (i32.add (local.get $v) (local.get $p))))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $vd) (local.get $vd))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $vy) (local.get $vy))))
        (local.set $vy (v128.load offset=16 (i32.add (local.get $y) (local.get $p))))
        (local.set $vd (f64x2.sub (local.get $vy)
          (f64x2.mul (local.get $vt) (v128.load offset=16 (i32.add (local.get $v) (local.get $p))))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $vd) (local.get $vd))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $vy) (local.get $vy))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $res)))
      (local.set $r2 (f64.add (f64x2.extract_lane 0 (local.get $acc0))
        (f64x2.extract_lane 1 (local.get $acc0))))
      (local.set $norm (f64.add (f64x2.extract_lane 0 (local.get $acc1))
        (f64x2.extract_lane 1 (local.get $acc1))))
      (br_if $fail (i32.eqz (f64.gt (local.get $norm) (f64.const 0))))
      (local.set $vt (f64x2.splat (f64.div (f64.const 1) (f64.sqrt (local.get $norm)))))
      (local.set $i (i32.const 0))
      (block $scale_done (loop $scale
        (br_if $scale_done (i32.ge_u (local.get $i) (local.get $np)))
        (local.set $p (i32.shl (local.get $i) (i32.const 3)))
        (v128.store (i32.add (local.get $v) (local.get $p))
          (f64x2.mul (local.get $vt) (v128.load (i32.add (local.get $y) (local.get $p)))))
        (v128.store offset=16 (i32.add (local.get $v) (local.get $p))
          (f64x2.mul (local.get $vt) (v128.load offset=16 (i32.add (local.get $y) (local.get $p)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scale)))
      (local.set $rest (f64.sub (local.get $frob) (f64.mul (local.get $theta) (local.get $theta))))
      (local.set $gap (f64.sub (local.get $theta)
        (f64.sqrt (select (local.get $rest) (f64.const 0) (f64.gt (local.get $rest) (f64.const 0))))))
      (if (i32.and (f64.gt (local.get $gap) (f64.const 0))
            (f64.le (f64.div (local.get $r2) (local.get $gap))
              (f64.mul (local.get $tol) (local.get $theta))))
        (then (return (local.get $theta))))
      (br $iterate)))
    (f64.const nan))
)
