# A pod that shares the node's network, process or IPC namespace sees (and can reach) what
# every other pod and daemon on that node does.
package driftd.builtin.k8s_host_namespaces

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-host-namespaces",
	"title": "Pod shares a namespace of the node",
	"tier": "warning",
	"types": k8s_pods.types,
	"remediation": "Remove hostNetwork, hostPID and hostIPC from the pod spec; expose the port through a Service instead of the node's network.",
}

shared := {"hostNetwork": "network", "hostPID": "process", "hostIPC": "IPC"}

deny contains {"msg": sprintf("the pod shares the node's %v namespace (%v: true)", [what, field]), "path": sprintf("pod_spec.%v", [field])} if {
	some field, what in shared
	k8s_pods.spec[field] == true
}
