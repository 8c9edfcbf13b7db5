# Control-plane and worker servers. Each one boots a rendered cloud-init script; the scripts
# hold tokens, so user_data is sensitive() and never shown in a plan.
#
# user_data, image and ssh_keys are ignored after creation: cloud-init runs once, and a changed
# render (a rotated token, a new k3s pin) must not destroy a running node and its data. Day-2
# changes go through the cluster (Flux, Crossplane), not through a server replacement.

resource "hcloud_server" "control_plane" {
  count = local.control_plane_count

  name               = format("%s-cp-%d", local.name_prefix, count.index + 1)
  server_type        = var.control_plane_size
  image              = local.os_image
  location           = var.region
  ssh_keys           = [hcloud_ssh_key.admin.id]
  firewall_ids       = [hcloud_firewall.nodes.id]
  placement_group_id = hcloud_placement_group.control_plane.id
  labels             = merge(local.owner_labels, { "catalyst.openova.io/role" = "control-plane" })

  user_data = sensitive(templatefile("${path.module}/cloudinit-control-plane.tftpl", merge(local.control_plane_template_vars, { node_index = count.index })))

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  network {
    network_id = hcloud_network.this.id
    ip         = local.control_plane_ips[count.index]
    alias_ips  = []
  }

  # The subnet must exist before a server can take an address in it.
  depends_on = [hcloud_network_subnet.nodes]

  lifecycle {
    ignore_changes = [user_data, image, ssh_keys]
  }
}

resource "hcloud_server" "worker" {
  count = var.worker_count

  name         = format("%s-worker-%d", local.name_prefix, count.index + 1)
  server_type  = var.worker_size
  image        = local.os_image
  location     = var.region
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [hcloud_firewall.nodes.id]
  labels       = merge(local.owner_labels, { "catalyst.openova.io/role" = "worker" })

  user_data = sensitive(templatefile("${path.module}/cloudinit-worker.tftpl", merge(local.common_template_vars, { node_ip = local.worker_ips[count.index] })))

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  network {
    network_id = hcloud_network.this.id
    ip         = local.worker_ips[count.index]
    alias_ips  = []
  }

  depends_on = [hcloud_network_subnet.nodes]

  lifecycle {
    ignore_changes = [user_data, image, ssh_keys]

    # Variable validation cannot compare two variables on OpenTofu 1.8, so the pairing is
    # checked here, still before anything is created.
    precondition {
      condition     = var.worker_size != ""
      error_message = "worker_size is required when worker_count > 0."
    }
  }
}
