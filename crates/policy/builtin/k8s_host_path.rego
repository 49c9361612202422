# A hostPath volume mounts the node's own files into the pod: a way out of the container.
package driftd.builtin.k8s_host_path

import data.driftd.builtin.k8s_pods
import rego.v1

__rego_metadata__ := {
	"id": "k8s-host-path",
	"title": "Pod mounts a path of the node (hostPath volume)",
	"tier": "warning",
	"types": k8s_pods.types,
	"remediation": "Use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead; node agents that need the host's files belong in a dedicated, audited namespace.",
}

deny contains {"msg": sprintf("volume %v mounts %v from the node", [volume, path]), "path": sprintf("pod_spec.volumes[%v].hostPath", [volume])} if {
	some v in k8s_pods.items(object.get(k8s_pods.spec, "volumes", []))
	is_object(v)
	host := v.hostPath
	is_object(host)
	volume := object.get(v, "name", "?")
	path := object.get(host, "path", "?")
}
