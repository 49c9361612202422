//! Seeds, on top of [`crate::seed::seed_region`], what links a VPC to other things: routes as
//! their own resources, route table associations, a volume attachment, VPC endpoints, peering
//! connections and flow logs, and writes them into the state as the Terraform AWS provider does
//! (every attribute, with the ids it computes itself for routes and attachments).
//!
//! moto gaps met while seeding: DeleteVpcEndpoints fails (HTTP 500) for an endpoint created
//! without `VpcEndpointType`, so endpoints are created with it; DetachVolume needs the instance
//! and device besides the volume.

use crate::seed::{Seeded, TfState};
use crate::ACCOUNT_ID;
use anyhow::{Context, Result};
use aws_sdk_ec2::types::{
    LogDestinationType, ResourceType, Tag, TagSpecification, TrafficType, VpcEndpointType,
};
use aws_sdk_ec2::Client;
use serde_json::{json, Value};

/// The route id Terraform computes: `r-<table><CRC-32 of the destination>`.
pub fn route_id(table: &str, destination: &str) -> String {
    format!("r-{table}{}", crc32fast::hash(destination.as_bytes()))
}

/// The volume attachment id Terraform computes.
pub fn attachment_id(device: &str, instance: &str, volume: &str) -> String {
    let key = format!("{device}-{instance}-{volume}-");
    format!("vai-{}", crc32fast::hash(key.as_bytes()))
}

/// The S3 gateway endpoint's policy as AWS fills it in when none is given, as Terraform records
/// it (its own JSON normalization: compact, keys sorted).
pub const DEFAULT_ENDPOINT_POLICY: &str = r#"{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2008-10-17"}"#;

/// The record format AWS uses when a flow log sets none.
pub const DEFAULT_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// Ids of what [`seed_vpc_links`] created.
#[derive(Debug, Clone)]
pub struct SeededLinks {
    /// A route table in the main VPC, with both routes below.
    pub route_table_id: String,
    /// Another route table, associated with nothing.
    pub spare_route_table_id: String,
    pub igw_id: String,
    /// 10.1.0.0/16 to the `peer` peering, and 0.0.0.0/0 to the internet gateway.
    pub peer_route_id: String,
    pub default_route_id: String,
    /// The associations of the two subnets with the route table.
    pub association_ids: Vec<String>,
    pub attachment_id: String,
    /// S3 and DynamoDB gateway endpoints.
    pub s3_endpoint_id: String,
    pub dynamodb_endpoint_id: String,
    /// VPCs `peer` (10.1.0.0/16) and `other` (10.2.0.0/16), and the peerings of main with each.
    pub peer_vpc_id: String,
    pub other_vpc_id: String,
    pub peering_id: String,
    pub other_peering_id: String,
    /// A flow log of the main VPC (all traffic) and one of the first subnet (rejected traffic).
    pub vpc_flow_log_id: String,
    pub subnet_flow_log_id: String,
}

fn tags(name: &str) -> (Vec<Tag>, Value) {
    let pairs = [("Name", name), ("ManagedBy", "terraform")];
    let list = pairs
        .iter()
        .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
        .collect();
    let map = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    (list, Value::Object(map))
}

fn tag_spec(rt: ResourceType, name: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(rt)
        .set_tags(Some(tags(name).0))
        .build()
}

/// A route as Terraform records it: every field, `""` where unset.
fn route_state(table: &str, cidr: &str, target: (&str, &str)) -> Value {
    let mut v = json!({
        "carrier_gateway_id": "", "core_network_arn": "", "destination_cidr_block": cidr,
        "destination_ipv6_cidr_block": "", "destination_prefix_list_id": "",
        "egress_only_gateway_id": "", "gateway_id": "", "id": route_id(table, cidr),
        "instance_id": "", "instance_owner_id": "", "local_gateway_id": "", "nat_gateway_id": "",
        "network_interface_id": "", "origin": "CreateRoute", "route_table_id": table,
        "state": "active", "timeouts": null, "transit_gateway_id": "", "vpc_endpoint_id": "",
        "vpc_peering_connection_id": ""
    });
    v[target.0] = json!(target.1);
    v
}

async fn create_vpc(
    client: &Client,
    cidr: &str,
    name: &str,
    state: &mut TfState,
) -> Result<String> {
    let id = client
        .create_vpc()
        .cidr_block(cidr)
        .tag_specifications(tag_spec(ResourceType::Vpc, name))
        .send()
        .await
        .context("CreateVpc")?
        .vpc()
        .and_then(|v| v.vpc_id())
        .context("no vpc id")?
        .to_string();
    let t = tags(name).1;
    state.add(
        None,
        "aws_vpc",
        name,
        None,
        json!({
            "cidr_block": cidr, "enable_dns_hostnames": false, "enable_dns_support": true,
            "id": id, "instance_tenancy": "default", "owner_id": ACCOUNT_ID,
            "tags": t, "tags_all": t,
        }),
    );
    Ok(id)
}

/// A peering of `vpc` with `peer`, accepted.
async fn peering(
    client: &Client,
    region: &str,
    (vpc, peer): (&str, &str),
    name: &str,
    state: &mut TfState,
) -> Result<String> {
    let id = client
        .create_vpc_peering_connection()
        .vpc_id(vpc)
        .peer_vpc_id(peer)
        .tag_specifications(tag_spec(ResourceType::VpcPeeringConnection, name))
        .send()
        .await
        .context("CreateVpcPeeringConnection")?
        .vpc_peering_connection()
        .and_then(|p| p.vpc_peering_connection_id())
        .context("no peering id")?
        .to_string();
    client
        .accept_vpc_peering_connection()
        .vpc_peering_connection_id(&id)
        .send()
        .await
        .context("AcceptVpcPeeringConnection")?;
    let t = tags(name).1;
    let off = json!([{"allow_remote_vpc_dns_resolution": false}]);
    state.add(
        None,
        "aws_vpc_peering_connection",
        name,
        None,
        json!({
            "accept_status": "active", "accepter": off, "auto_accept": true, "id": id,
            "peer_owner_id": ACCOUNT_ID, "peer_region": region, "peer_vpc_id": peer,
            "requester": off, "tags": t, "tags_all": t, "timeouts": null, "vpc_id": vpc,
        }),
    );
    Ok(id)
}

/// A gateway endpoint of `service` in `vpc`, routed from `table`.
async fn endpoint(
    client: &Client,
    region: &str,
    (vpc, table): (&str, &str),
    service: &str,
    state: &mut TfState,
) -> Result<String> {
    let service_name = format!("com.amazonaws.{region}.{service}");
    let e = client
        .create_vpc_endpoint()
        .vpc_id(vpc)
        .service_name(&service_name)
        .vpc_endpoint_type(VpcEndpointType::Gateway)
        .route_table_ids(table)
        .tag_specifications(tag_spec(ResourceType::VpcEndpoint, service))
        .send()
        .await
        .context("CreateVpcEndpoint")?;
    let e = e.vpc_endpoint().context("no endpoint")?;
    let id = e.vpc_endpoint_id().context("no endpoint id")?.to_string();
    let t = tags(service).1;
    state.add(
        None,
        "aws_vpc_endpoint",
        service,
        None,
        json!({
            "arn": format!("arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc-endpoint/{id}"),
            "auto_accept": null, "cidr_blocks": [], "dns_entry": [], "dns_options": [],
            "id": id, "ip_address_type": "", "network_interface_ids": [],
            "owner_id": ACCOUNT_ID, "policy": DEFAULT_ENDPOINT_POLICY, "prefix_list_id": "",
            // moto reports private DNS on for a gateway endpoint; the provider records what
            // the API answered.
            "private_dns_enabled": e.private_dns_enabled().unwrap_or(false),
            "requester_managed": false, "route_table_ids": [table], "security_group_ids": [],
            "service_name": service_name, "state": "available", "subnet_ids": [],
            "tags": t, "tags_all": t, "timeouts": null, "vpc_endpoint_type": "Gateway",
            "vpc_id": vpc,
        }),
    );
    Ok(id)
}

/// A flow log of `resource` (a VPC or a subnet, named by `attr`) to CloudWatch Logs.
async fn flow_log(
    client: &Client,
    region: &str,
    (attr, resource): (&str, &str),
    traffic: TrafficType,
    name: &str,
    state: &mut TfState,
) -> Result<String> {
    let role = format!("arn:aws:iam::{ACCOUNT_ID}:role/flow-logs");
    let kind = if attr == "vpc_id" {
        aws_sdk_ec2::types::FlowLogsResourceType::Vpc
    } else {
        aws_sdk_ec2::types::FlowLogsResourceType::Subnet
    };
    let out = client
        .create_flow_logs()
        .resource_ids(resource)
        .resource_type(kind)
        .traffic_type(traffic.clone())
        .log_destination_type(LogDestinationType::CloudWatchLogs)
        .log_group_name(name)
        .deliver_logs_permission_arn(&role)
        .tag_specifications(tag_spec(ResourceType::VpcFlowLog, name))
        .send()
        .await
        .context("CreateFlowLogs")?;
    let id = out
        .flow_log_ids()
        .first()
        .context("no flow log id")?
        .clone();
    let t = tags(name).1;
    let mut attrs = json!({
        "arn": format!("arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc-flow-log/{id}"),
        "deliver_cross_account_role": "", "destination_options": [], "eni_id": null,
        "iam_role_arn": role, "id": id,
        "log_destination": format!("arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{name}"),
        "log_destination_type": "cloud-watch-logs", "log_format": DEFAULT_LOG_FORMAT,
        "log_group_name": name, "max_aggregation_interval": 600, "subnet_id": null,
        "tags": t, "tags_all": t, "traffic_type": traffic.as_str(),
        "transit_gateway_attachment_id": null, "transit_gateway_id": null, "vpc_id": null,
    });
    attrs[attr] = json!(resource);
    state.add(None, "aws_flow_log", name, None, attrs);
    Ok(id)
}

/// Creates the links of `base`'s VPC (see [`SeededLinks`]) and records them in `state`.
pub async fn seed_vpc_links(
    client: &Client,
    base: &Seeded,
    state: &mut TfState,
) -> Result<SeededLinks> {
    let region = base.region.as_str();
    let vpc = base.vpc_id.as_str();
    let peer_vpc_id = create_vpc(client, "10.1.0.0/16", "peer", state).await?;
    let other_vpc_id = create_vpc(client, "10.2.0.0/16", "other", state).await?;
    let peering_id = peering(client, region, (vpc, &peer_vpc_id), "peer", state).await?;
    let other_peering_id = peering(client, region, (vpc, &other_vpc_id), "other", state).await?;

    let table = |name: &'static str| async move {
        anyhow::Ok(
            client
                .create_route_table()
                .vpc_id(vpc)
                .tag_specifications(tag_spec(ResourceType::RouteTable, name))
                .send()
                .await
                .context("CreateRouteTable")?
                .route_table()
                .and_then(|t| t.route_table_id())
                .context("no route table id")?
                .to_string(),
        )
    };
    let route_table_id = table("public").await?;
    let spare_route_table_id = table("spare").await?;
    let igw_id = client
        .create_internet_gateway()
        .send()
        .await
        .context("CreateInternetGateway")?
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .context("no gateway id")?
        .to_string();
    client
        .attach_internet_gateway()
        .internet_gateway_id(&igw_id)
        .vpc_id(vpc)
        .send()
        .await
        .context("AttachInternetGateway")?;
    client
        .create_route()
        .route_table_id(&route_table_id)
        .destination_cidr_block("10.1.0.0/16")
        .vpc_peering_connection_id(&peering_id)
        .send()
        .await
        .context("CreateRoute to the peering")?;
    client
        .create_route()
        .route_table_id(&route_table_id)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw_id)
        .send()
        .await
        .context("CreateRoute to the internet")?;
    let rt = route_table_id.as_str();
    state.add(
        None,
        "aws_route",
        "peer",
        None,
        route_state(
            rt,
            "10.1.0.0/16",
            ("vpc_peering_connection_id", &peering_id),
        ),
    );
    state.add(
        None,
        "aws_route",
        "internet",
        None,
        route_state(rt, "0.0.0.0/0", ("gateway_id", &igw_id)),
    );

    let mut association_ids = Vec::new();
    for (i, subnet) in base.subnet_ids.iter().enumerate() {
        let id = client
            .associate_route_table()
            .route_table_id(rt)
            .subnet_id(subnet)
            .send()
            .await
            .context("AssociateRouteTable")?
            .association_id()
            .context("no association id")?
            .to_string();
        state.add(
            None,
            "aws_route_table_association",
            "public",
            Some(json!(i)),
            json!({"gateway_id": "", "id": id, "route_table_id": rt, "subnet_id": subnet,
                   "timeouts": null}),
        );
        association_ids.push(id);
    }

    let instance = base.instance_ids.first().context("an instance")?;
    client
        .attach_volume()
        .device("/dev/sdf")
        .instance_id(instance)
        .volume_id(&base.volume_id)
        .send()
        .await
        .context("AttachVolume")?;
    let attachment_id = attachment_id("/dev/sdf", instance, &base.volume_id);
    state.add(
        None,
        "aws_volume_attachment",
        "data",
        None,
        json!({"device_name": "/dev/sdf", "force_detach": null, "id": attachment_id,
               "instance_id": instance, "skip_destroy": null,
               "stop_instance_before_detaching": null, "volume_id": base.volume_id}),
    );

    let s3_endpoint_id = endpoint(client, region, (vpc, rt), "s3", state).await?;
    let dynamodb_endpoint_id = endpoint(client, region, (vpc, rt), "dynamodb", state).await?;

    let vpc_flow_log_id = flow_log(
        client,
        region,
        ("vpc_id", vpc),
        TrafficType::All,
        "vpc-flows",
        state,
    )
    .await?;
    let subnet_flow_log_id = flow_log(
        client,
        region,
        ("subnet_id", &base.subnet_ids[0]),
        TrafficType::Reject,
        "subnet-rejects",
        state,
    )
    .await?;

    Ok(SeededLinks {
        peer_route_id: route_id(rt, "10.1.0.0/16"),
        default_route_id: route_id(rt, "0.0.0.0/0"),
        route_table_id,
        spare_route_table_id,
        igw_id,
        association_ids,
        attachment_id,
        s3_endpoint_id,
        dynamodb_endpoint_id,
        peer_vpc_id,
        other_vpc_id,
        peering_id,
        other_peering_id,
        vpc_flow_log_id,
        subnet_flow_log_id,
    })
}
