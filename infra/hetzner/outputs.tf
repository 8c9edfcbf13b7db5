# Outputs the app reads after apply (TofuContract.OutputsRead) and the result fields it
# reports (reference B.5). None of them may carry a secret: `tofu output -json` is read by an
# activity whose result lands in orchestration history (DESIGN §4).

output "control_plane_ip" {
  description = "Public IPv4 of the first control-plane node (break-glass SSH)."
  value       = hcloud_server.control_plane[0].ipv4_address
}

output "load_balancer_ip" {
  description = "Public IPv4 of the load balancer; DNS and the kubeconfig point here."
  value       = hcloud_load_balancer.this.ipv4
}

output "sovereign_fqdn" {
  description = "The Sovereign's FQDN, echoed for the result record."
  value       = var.sovereign_fqdn
}

output "console_url" {
  description = "Where the sovereign-admin signs in after the handover."
  value       = "https://console.${var.sovereign_fqdn}"
}

output "gitops_repo_url" {
  description = "The GitOps repository Flux on the Sovereign follows."
  value       = var.gitops_repo_url
}
