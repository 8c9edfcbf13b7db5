# The Hetzner objects of one Sovereign: a private network, a firewall, an SSH key, a spread
# placement group, the control plane (1 or 3 nodes), the workers and one load balancer.
#
# Rules this file keeps:
# - Every object that takes labels carries local.owner_labels plus a role, so a decommission
#   sweep finds what the state does not know (DESIGN §3). tests/Infra.Tests enforces it.
# - No secret is written to a file on the machine running tofu: no local_file, no local-exec.
#   Secrets reach the nodes only through user_data, which is wrapped in sensitive().
# - No DNS writes: the pool-domain-manager owns DNS (reference B.5, C.1).

provider "hcloud" {
  token = var.hcloud_token
}

locals {
  owner_labels = {
    "catalyst.openova.io/deployment-id" = var.deployment_id
    # Hetzner label values: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both
    # ends. The validated FQDN already uses only those characters, so only length needs care.
    "catalyst.openova.io/sovereign" = trim(substr(var.sovereign_fqdn, 0, 63), ".-")
  }

  # Object names must be unique per Hetzner project; the FQDN with dots turned into dashes is,
  # and it matches the app's per-deployment workdir name (reference B.5).
  name_prefix = trim(substr(replace(var.sovereign_fqdn, ".", "-"), 0, 50), "-")

  control_plane_count = var.ha_enabled ? 3 : 1
  os_image            = "ubuntu-24.04"

  # Every node is a load-balancer target, and a type takes only so many (issue 22: lb11 takes
  # 25, while worker_count allows 50). The smallest type that holds them all; the provider's
  # hcloud_load_balancer_type data source reports max_targets, and load_balancer.tf checks the
  # choice against it at plan.
  load_balancer_targets = local.control_plane_count + var.worker_count
  load_balancer_type    = local.load_balancer_targets <= 25 ? "lb11" : (local.load_balancer_targets <= 75 ? "lb21" : "lb31")

  # SSH sources as the firewall stores them: a bare address is a /32 (or /128), as the provider
  # and Hetzner's console take it (internal/firewall/validation.go normalizeIP). variables.tf
  # refuses host bits, which the provider also refuses at plan.
  ssh_allowed_cidrs = [for c in var.ssh_allowed_cidrs : strcontains(c, "/") ? c : (strcontains(c, ":") ? "${c}/128" : "${c}/32")]

  network_zone = {
    fsn1 = "eu-central", nbg1 = "eu-central", hel1 = "eu-central"
    ash  = "us-east", hil = "us-west", sin = "ap-southeast"
  }[var.region]

  # Fixed private addresses, so cloud-init knows every peer before the servers exist and a
  # retried apply renders byte-identical user_data (a change would replace the server).
  network_cidr       = "10.0.0.0/16"
  subnet_cidr        = "10.0.1.0/24"
  control_plane_ips  = [for i in range(local.control_plane_count) : cidrhost(local.subnet_cidr, 10 + i)]
  worker_ips         = [for i in range(var.worker_count) : cidrhost(local.subnet_cidr, 100 + i)]
  load_balancer_ip   = cidrhost(local.subnet_cidr, 254)
  cilium_version     = "1.16.5"
  # Hetzner's private network has an MTU of 1450; Cilium would take eth0's 1500 and drop large
  # cross-node packets (kube-hetzner pins the same value).
  cilium_mtu = 1450

  # Downloads on node 1 are verified against these published sha256 sums before anything runs
  # (issue 22). helm: get.helm.sh's .sha256sum files; flux: the CLI archives of the flux2
  # release, whose `flux install` applies the manifests embedded in that same binary. Moving a
  # version means adding its sums here; a flux_version without one fails at plan (nodes.tf).
  helm_version = "v3.18.4"
  helm_sha256 = {
    amd64 = "f8180838c23d7c7d797b208861fecb591d9ce1690d8704ed1e4cb8e2add966c1"
    arm64 = "c0a45e67eef0c7416a8a8c9e9d5d2d30d70e4f4d3f7bea5de28241fffa8f3b89"
  }
  flux_sha256_by_version = {
    "v2.4.0" = {
      amd64 = "7b70b75af20e28fc30ee66cf5372ec8d51dd466fd2ee21aa42690984de70b09b"
      arm64 = "4b8c95a1e8ad262dd33a67d28e22979cf3e022a9283d4676763b6728247d92a0"
    }
  }
  flux_sha256 = lookup(local.flux_sha256_by_version, var.flux_version, { amd64 = "", arm64 = "" })

  # How long node 1's bootstrap keeps retrying. The app waits for the kubeconfig for
  # CATALYST_PHASE1_KUBECONFIG_ARRIVAL_TIMEOUT (default 15 minutes); the unit retries a little
  # past that so a slow but healthy boot still posts back before the app gives up on it.
  bootstrap_deadline_seconds = 1200
  harbor_host        = "harbor.openova.io"
  harbor_robot_name  = "robot$openova-bot"
  ghcr_pull_username = "catalyst"

  # containerd on every node pulls through the central Harbor's proxy-cache projects; docker.io
  # rate limits make a fresh Hetzner IP unbootable otherwise (seed, issue #557). JSON is YAML,
  # and k3s reads registries.yaml at start.
  registries_json = jsonencode({
    mirrors = {
      for registry, project in {
        "docker.io"       = "proxy-dockerhub"
        "gcr.io"          = "proxy-gcr"
        "quay.io"         = "proxy-quay"
        "registry.k8s.io" = "proxy-k8s"
        "ghcr.io"         = "proxy-ghcr"
      } : registry => { endpoint = ["https://${local.harbor_host}"], rewrite = { "^(.*)$" = "${project}/$1" } }
    }
    configs = {
      (local.harbor_host) = { auth = { username = local.harbor_robot_name, password = var.harbor_robot_token } }
    }
  })

  common_template_vars = {
    k3s_version       = var.k3s_version
    k3s_token         = random_password.k3s_token.result
    control_plane_ips = local.control_plane_ips
    registries_json   = local.registries_json
  }

  control_plane_template_vars = merge(local.common_template_vars, {
    sovereign_fqdn            = var.sovereign_fqdn
    load_balancer_ipv4        = hcloud_load_balancer.this.ipv4
    load_balancer_private_ip  = local.load_balancer_ip
    deployment_id             = var.deployment_id
    kubeconfig_bearer_token   = var.kubeconfig_bearer_token
    catalyst_api_url          = var.catalyst_api_url
    ghcr_pull_username        = local.ghcr_pull_username
    ghcr_pull_token           = var.ghcr_pull_token
    harbor_robot_token        = var.harbor_robot_token
    powerdns_api_key          = var.powerdns_api_key
    handover_jwt_public_key   = var.handover_jwt_public_key
    object_storage_region     = var.object_storage_region
    object_storage_bucket     = var.object_storage_bucket
    object_storage_access_key = var.object_storage_access_key
    object_storage_secret_key = var.object_storage_secret_key
    cilium_version            = local.cilium_version
    cilium_mtu                = local.cilium_mtu
    helm_version              = local.helm_version
    helm_sha256               = local.helm_sha256
    flux_version              = var.flux_version
    flux_sha256               = local.flux_sha256
    bootstrap_deadline        = local.bootstrap_deadline_seconds
    gitops_repo_url           = var.gitops_repo_url
    gitops_branch             = var.gitops_branch
  })
}

# The k3s cluster token. Kept in the (encrypted) state so a retried apply renders the same
# user_data; never an output.
resource "random_password" "k3s_token" {
  length  = 48
  special = false
}

resource "hcloud_network" "this" {
  name     = "${local.name_prefix}-net"
  ip_range = local.network_cidr
  labels   = merge(local.owner_labels, { "catalyst.openova.io/role" = "network" })
}

resource "hcloud_network_subnet" "nodes" {
  network_id   = hcloud_network.this.id
  type         = "cloud"
  network_zone = local.network_zone
  ip_range     = local.subnet_cidr
}

# Hetzner firewalls filter public interfaces only; node-to-node and load-balancer traffic uses
# the private network. So 6443 has no public rule: the API is reachable only through the load
# balancer (or from inside the network). SSH opens only to ssh_allowed_cidrs.
resource "hcloud_firewall" "nodes" {
  name   = "${local.name_prefix}-fw"
  labels = merge(local.owner_labels, { "catalyst.openova.io/role" = "firewall" })

  dynamic "rule" {
    for_each = ["80", "443"]
    content {
      description = "ingress ${rule.value}"
      direction   = "in"
      protocol    = "tcp"
      port        = rule.value
      source_ips  = ["0.0.0.0/0", "::/0"]
    }
  }

  rule {
    description = "icmp"
    direction   = "in"
    protocol    = "icmp"
    source_ips  = ["0.0.0.0/0", "::/0"]
  }

  dynamic "rule" {
    for_each = length(var.ssh_allowed_cidrs) > 0 ? [var.ssh_allowed_cidrs] : []
    content {
      description = "ssh (break-glass)"
      direction   = "in"
      protocol    = "tcp"
      port        = "22"
      source_ips  = local.ssh_allowed_cidrs
    }
  }
}

resource "hcloud_ssh_key" "admin" {
  name       = "${local.name_prefix}-admin"
  public_key = trimspace(var.ssh_public_key)
  labels     = merge(local.owner_labels, { "catalyst.openova.io/role" = "ssh-key" })
}

# Spread keeps the HA control plane on distinct hosts. Hetzner caps a spread group at 10
# servers, so workers (up to 50) stay outside it.
resource "hcloud_placement_group" "control_plane" {
  name   = "${local.name_prefix}-cp"
  type   = "spread"
  labels = merge(local.owner_labels, { "catalyst.openova.io/role" = "placement-group" })
}
