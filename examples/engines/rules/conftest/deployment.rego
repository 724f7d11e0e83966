# Kubernetes Deployments run as non-root and set memory limits.
# Input: a Kubernetes manifest (YAML). Conftest evaluates the package "main".
package main

import rego.v1

containers contains container if {
	input.kind == "Deployment"
	some container in input.spec.template.spec.containers
}

deny contains msg if {
	some container in containers
	not container.securityContext.runAsNonRoot == true
	not input.spec.template.spec.securityContext.runAsNonRoot == true
	msg := sprintf("container %q must set securityContext.runAsNonRoot: true", [container.name])
}

warn contains msg if {
	some container in containers
	not container.resources.limits.memory
	msg := sprintf("container %q has no memory limit", [container.name])
}
