# A template that renders itself: refused (a template cannot call templatefile).
locals {
  self = "${templatefile("main.tf", { a = 1 })}"
  text = file("main.tf")
}

resource "x" "t" {
  v = local.self
  w = length(local.text)
}
