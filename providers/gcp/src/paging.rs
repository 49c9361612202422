//! The paged listing loop every Compute Engine list call shares: ask for a page, record its
//! outcome and classify its error ([`UnitClient::compute`]), keep what `keep` maps to `Some`,
//! and follow `next_page_token` until it is absent or empty.

use crate::client::UnitClient;
use driftd_core::ListError;
use google_cloud_compute_v1::model::{
    Address, AddressList, Disk, DiskList, Firewall, FirewallList, Instance, InstanceList, Network,
    NetworkList, Region, RegionList, Route, RouteList, Router, RouterList, Subnetwork,
    SubnetworkList, Zone, ZoneList,
};
use google_cloud_compute_v1::{builder, model};
use std::future::Future;

/// One page of a Compute Engine list answer.
pub(crate) trait Page {
    type Item;
    /// The page's items and the token of the next page.
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

/// A Compute Engine list request, before its page token is set.
pub(crate) trait ListRequest: Sized {
    type Page: Page;
    fn with_max_results(self, n: u32) -> Self;
    /// Sends the request for the page `token` names (`None`: the first page).
    fn send_page(
        self,
        token: Option<String>,
    ) -> impl Future<Output = Result<Self::Page, google_cloud_gax::error::Error>> + Send;
}

macro_rules! list_call {
    ($($request:ty => $list:ty => $item:ty),* $(,)?) => {$(
        impl Page for $list {
            type Item = $item;
            fn into_parts(self) -> (Vec<$item>, Option<String>) {
                (self.items, self.next_page_token)
            }
        }

        list_request!($request => $list);
    )*};
}

/// A list request whose page type another request shares (regional and global addresses both
/// answer an `AddressList`).
macro_rules! list_request {
    ($request:ty => $list:ty) => {
        impl ListRequest for $request {
            type Page = $list;
            fn with_max_results(self, n: u32) -> Self {
                self.set_max_results(n)
            }
            fn send_page(
                self,
                token: Option<String>,
            ) -> impl Future<Output = Result<$list, google_cloud_gax::error::Error>> + Send {
                self.set_or_clear_page_token(token).send()
            }
        }
    };
}

list_call!(
    builder::addresses::List => AddressList => Address,
    builder::routes::List => RouteList => Route,
    builder::routers::List => RouterList => Router,
    builder::disks::List => DiskList => Disk,
    builder::firewalls::List => FirewallList => Firewall,
    builder::instances::List => InstanceList => Instance,
    builder::networks::List => NetworkList => Network,
    builder::regions::List => RegionList => Region,
    builder::subnetworks::List => SubnetworkList => Subnetwork,
    builder::zones::List => ZoneList => Zone,
);
list_request!(builder::global_addresses::List => AddressList);
// Load balancing and managed instance groups.
list_call!(
    builder::instance_templates::List => model::InstanceTemplateList => model::InstanceTemplate,
    builder::instance_group_managers::List => model::InstanceGroupManagerList => model::InstanceGroupManager,
    builder::forwarding_rules::List => model::ForwardingRuleList => model::ForwardingRule,
    builder::backend_services::List => model::BackendServiceList => model::BackendService,
    builder::health_checks::List => model::HealthCheckList => model::HealthCheck,
    builder::url_maps::List => model::UrlMapList => model::UrlMap,
    builder::target_http_proxies::List => model::TargetHttpProxyList => model::TargetHttpProxy,
    builder::target_https_proxies::List => model::TargetHttpsProxyList => model::TargetHttpsProxy,
    builder::ssl_certificates::List => model::SslCertificateList => model::SslCertificate,
);
list_request!(builder::global_forwarding_rules::List => model::ForwardingRuleList);

/// Every page of a list call. `request` makes one page's request (without its page token);
/// `what` and `scope` name the call in errors.
pub(crate) async fn all_pages<Q, R>(
    client: &UnitClient,
    what: &str,
    scope: &str,
    mut request: impl FnMut() -> Q,
    mut keep: impl FnMut(<Q::Page as Page>::Item) -> Option<R>,
) -> Result<Vec<R>, ListError>
where
    Q: ListRequest,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client.compute(request().send_page(token.take()).await, what, scope)?;
        let (items, next) = page.into_parts();
        out.extend(items.into_iter().filter_map(&mut keep));
        match next {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => break,
        }
    }
    Ok(out)
}
