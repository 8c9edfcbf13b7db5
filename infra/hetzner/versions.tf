# Tool and provider pins for the Sovereign module.
#
# Providers are pinned to exact versions: a retried apply (Durable delivers activities at least
# once) must plan against the same provider schema as the first attempt. Bump them on purpose,
# in a commit of their own.
#
# hcloud must be >= 1.58.0 (issue 22): older releases read a server's location from the
# `datacenter` property, which Hetzner removed from its API on 2026-07-01, so every apply after
# that date planned to replace every server. v1.67.0 reads `location` directly. The provider's
# changelog drops OpenTofu 1.8 in v1.58.0 and 1.9 in v1.64.0, hence the floor of 1.10; the images
# ship 1.12 (deploy/images).
#
# The http backend is left empty on purpose: the app configures it through TF_HTTP_*
# environment variables (its own state endpoint, per-deployment credentials, lock_method=POST,
# unlock_method=DELETE; DESIGN §5), never -backend-config, whose values tofu saves in plain
# text under .terraform/. No credentials live in any file of this module.

terraform {
  required_version = ">= 1.10.0"

  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "1.68.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.7.2"
    }
  }

  backend "http" {}

  # State and plans hold the k3s token and every secret in user_data, so writing either in plain
  # text is refused here, in code (issue 22: a run without TF_ENCRYPTION used to write the token
  # in the clear). The key provider and method come from TF_ENCRYPTION, which the app sets
  # (src/Domain/Tofu/TofuEnvironment.cs: key_provider "pbkdf2" "catalyst", method "aes_gcm"
  # "catalyst"). OpenTofu merges the environment's configuration over this block: the method is
  # taken from TF_ENCRYPTION and `enforced` is true when either side says so. Without
  # TF_ENCRYPTION there is no method, and tofu stops instead of writing plain state.
  encryption {
    state {
      enforced = true
    }
    plan {
      enforced = true
    }
  }
}
