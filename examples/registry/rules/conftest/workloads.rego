# Kubernetes workloads set CPU and memory limits, run no privileged container and pin
# every image to a tag other than latest, or to a digest (policy k8s.workload-hardening).
# Input: one Kubernetes manifest (Conftest gives each document of a YAML stream on its own).
package tierguard.registry.k8s.workloads

import rego.v1

template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

workload_kinds := template_kinds | {"Pod", "CronJob"}

pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.spec.template.spec if input.kind in template_kinds

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

# Init containers run with the pod's privileges too.
containers contains container if some container in pod_spec.containers

containers contains container if some container in pod_spec.initContainers

# Names are read with defaults, so a manifest without one is still judged.
workload := sprintf("%s %s", [input.kind, object.get(input, ["metadata", "name"], "(unnamed)")])

name(container) := object.get(container, "name", "(unnamed)")

# A workload whose containers cannot be found cannot be shown to be hardened: fail closed.
deny contains msg if {
	input.kind in workload_kinds
	not has_containers
	msg := sprintf("%s has no list of containers where its kind puts one, so it cannot be checked", [workload])
}

has_containers if {
	is_array(pod_spec.containers)
	count(pod_spec.containers) > 0
}

deny contains msg if {
	some container in containers
	some resource in ["cpu", "memory"]
	not container.resources.limits[resource]
	msg := sprintf("%s: container %q must set resources.limits.%s", [workload, name(container), resource])
}

deny contains msg if {
	some container in containers
	container.securityContext.privileged == true
	msg := sprintf("%s: container %q must not be privileged", [workload, name(container)])
}

deny contains msg if {
	some container in containers
	not pinned(object.get(container, "image", null))
	msg := sprintf("%s: container %q must pin its image to a tag other than latest or to a digest (got %v)", [workload, name(container), object.get(container, "image", null)])
}

# Read with a default: in Rego, `not pinned(container.missing)` is undefined, not true.
# A digest pins the image whatever the tag says.
pinned(image) if {
	is_string(image)
	contains(image, "@sha256:")
}

pinned(image) if {
	is_string(image)
	not contains(image, "@")
	tag := image_tag(image)
	not tag in {"", "latest"}
}

# The tag is after the last ":" of the last path segment (a registry host may have a port).
image_tag(image) := tag if {
	segments := split(image, "/")
	last := segments[count(segments) - 1]
	contains(last, ":")
	parts := split(last, ":")
	tag := parts[count(parts) - 1]
}
