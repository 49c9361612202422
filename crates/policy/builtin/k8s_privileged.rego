# A privileged container is root on the node: every device, every capability, no isolation.
package driftd.builtin.k8s_privileged

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-privileged",
	"title": "Privileged container",
	"tier": "critical",
	"types": k8s_pods.types,
	"remediation": "Drop securityContext.privileged; grant the one capability the container needs (securityContext.capabilities.add) instead, and enforce the namespace's Pod Security Standard (pod-security.kubernetes.io/enforce: baseline).",
}

deny contains {"msg": sprintf("container %v runs privileged", [k8s_pods.name(c)]), "path": sprintf("pod_spec.%v[%v].securityContext.privileged", [list, k8s_pods.name(c)])} if {
	some [list, c] in k8s_pods.containers
	context := c.securityContext
	is_object(context)
	context.privileged == true
}
