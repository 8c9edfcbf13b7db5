# One load balancer (its type sized to the node count in main.tf) fronts the Sovereign: 6443 for the Kubernetes API (the kubeconfig the app
# receives points here) and 80/443 for ingress. It reaches the nodes over the private network.
#
# Hetzner load-balancer targets are shared by all services of a balancer. So the control plane
# is always a target and workers are added when there are any; per-service health checks keep
# 6443 on the control plane (agents do not listen on 6443) while 80/443 go to every node that
# answers there. One balancer instead of two keeps one public IP for DNS and the kubeconfig.

# The type's own target limit, read from the API, so the choice in main.tf is checked at plan.
data "hcloud_load_balancer_type" "this" {
  name = local.load_balancer_type
}

resource "hcloud_load_balancer" "this" {
  name               = "${local.name_prefix}-lb"
  load_balancer_type = local.load_balancer_type
  location           = var.region
  labels             = merge(local.owner_labels, { "catalyst.openova.io/role" = "lb" })

  lifecycle {
    precondition {
      condition     = data.hcloud_load_balancer_type.this.max_targets >= local.load_balancer_targets
      error_message = "load balancer type ${local.load_balancer_type} takes ${data.hcloud_load_balancer_type.this.max_targets} targets, but the Sovereign has ${local.load_balancer_targets} nodes."
    }
  }
}

resource "hcloud_load_balancer_network" "this" {
  load_balancer_id = hcloud_load_balancer.this.id
  subnet_id        = hcloud_network_subnet.nodes.id
  ip               = local.load_balancer_ip
}

resource "hcloud_load_balancer_target" "control_plane" {
  count = local.control_plane_count

  type             = "server"
  load_balancer_id = hcloud_load_balancer.this.id
  server_id        = hcloud_server.control_plane[count.index].id
  use_private_ip   = true

  depends_on = [hcloud_load_balancer_network.this]
}

resource "hcloud_load_balancer_target" "worker" {
  count = var.worker_count

  type             = "server"
  load_balancer_id = hcloud_load_balancer.this.id
  server_id        = hcloud_server.worker[count.index].id
  use_private_ip   = true

  depends_on = [hcloud_load_balancer_network.this]
}

resource "hcloud_load_balancer_service" "this" {
  for_each = toset(["6443", "80", "443"])

  load_balancer_id = hcloud_load_balancer.this.id
  protocol         = "tcp"
  listen_port      = tonumber(each.value)
  destination_port = tonumber(each.value)

  health_check {
    protocol = "tcp"
    port     = tonumber(each.value)
    interval = 10
    timeout  = 5
    retries  = 3
  }
}
