# Values that grow through locals and loops: bounded by max_elements.
locals {
  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  l1 = concat(local.l0, local.l0, local.l0, local.l0)
  l2 = concat(local.l1, local.l1, local.l1, local.l1)
  m  = { for i, v in local.l2 : "k${i}" => [v, local.l1] }
  s  = join(",", [for x in local.l2 : format("%03d", x)])
}

resource "x" "g" {
  a = length(local.m)
  b = [for k, v in local.m : length(v) if k != "k1"]
  c = setproduct(local.l0, ["a", "b"])
  d = flatten([for x in [local.l1] : [for i in range(3) : x]])
}
