# Control-plane and worker servers. Each one boots a rendered cloud-init script; the scripts
# hold tokens, so user_data is sensitive() and never shown in a plan.
#
# user_data, image and ssh_keys are ignored after creation: cloud-init runs once, and a changed
# render (a rotated token, a new k3s pin) must not destroy a running node and its data. Day-2
# changes go through the cluster (Flux, Crossplane), not through a server replacement.

# Server types depend on the location now, and Hetzner deprecates them per location (provider
# v1.53.0/v1.61.0 changelog): CX Gen2 and CPX Gen1 were removed at the end of 2025, and a create
# with one fails mid-apply (issue 22). So the sizes are looked up at plan and refused there when the
# region does not offer them, offers them only until a removal date, or has none left right now.
data "hcloud_server_type" "control_plane" {
  name = var.control_plane_size
}

data "hcloud_server_type" "worker" {
  count = var.worker_count > 0 ? 1 : 0
  name  = var.worker_size
}

locals {
  # The region's entry of each size, or null when the size is not offered there.
  control_plane_type_in_region = one([for l in data.hcloud_server_type.control_plane.locations : l if l.name == var.region])
  worker_type_in_region        = var.worker_count > 0 ? one([for l in data.hcloud_server_type.worker[0].locations : l if l.name == var.region]) : null
}

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

    # try(): OpenTofu's && does not short-circuit, and a null entry has no attributes.
    precondition {
      condition     = local.control_plane_type_in_region != null
      error_message = "control_plane_size ${var.control_plane_size} is not offered in ${var.region}."
    }
    precondition {
      condition     = try(!local.control_plane_type_in_region.is_deprecated, false)
      error_message = "control_plane_size ${var.control_plane_size} is deprecated in ${var.region}; choose a current server type."
    }
    precondition {
      condition     = try(local.control_plane_type_in_region.available, false)
      error_message = "control_plane_size ${var.control_plane_size} is not available in ${var.region} right now."
    }
    precondition {
      condition     = local.flux_sha256.amd64 != "" && local.flux_sha256.arm64 != ""
      error_message = "flux_version ${var.flux_version} has no pinned sha256 in main.tf (local.flux_sha256_by_version)."
    }
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

    # Checked here, at plan, before anything is created.
    precondition {
      condition     = var.worker_size != ""
      error_message = "worker_size is required when worker_count > 0."
    }
    precondition {
      condition     = local.worker_type_in_region != null
      error_message = "worker_size ${var.worker_size} is not offered in ${var.region}."
    }
    precondition {
      condition     = try(!local.worker_type_in_region.is_deprecated, false)
      error_message = "worker_size ${var.worker_size} is deprecated in ${var.region}; choose a current server type."
    }
    precondition {
      condition     = try(local.worker_type_in_region.available, false)
      error_message = "worker_size ${var.worker_size} is not available in ${var.region} right now."
    }
  }
}
