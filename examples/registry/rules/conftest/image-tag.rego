# Deprecated (policy k8s.image-tag-pinned, superseded by k8s.workload-hardening): a warning
# for a Deployment container whose image is untagged or tagged latest.
# Input: one Kubernetes manifest.
package tierguard.registry.k8s.imagetag

import rego.v1

warn contains msg if {
	input.kind == "Deployment"
	some container in input.spec.template.spec.containers
	unpinned(object.get(container, "image", null))
	msg := sprintf("Deployment %s: container %q uses the image %v; pin a version", [object.get(input, ["metadata", "name"], "(unnamed)"), object.get(container, "name", "(unnamed)"), object.get(container, "image", null)])
}

unpinned(image) if not is_string(image)

unpinned(image) if {
	is_string(image)
	not contains(image, "@")
	segments := split(image, "/")
	not contains(segments[count(segments) - 1], ":")
}

unpinned(image) if {
	is_string(image)
	endswith(image, ":latest")
}
