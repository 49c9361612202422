//! Amazon Route 53, over REST-XML (API version path `/2013-04-01/`): a global service, served
//! from `route53.amazonaws.com` and signed for us-east-1.

use crate::client::{segment, ApiClient, CallError, Protocol, Service};
use crate::paging::runaway;
use crate::xml::members;
use crate::Kinds;
use serde_json::Value;

pub mod record;
pub mod zone;

pub const SERVICE: Service = Service {
    endpoint_prefix: "route53",
    signing_name: "route53",
    iam_prefix: "route53",
    protocol: Protocol::RestXml,
    global: true,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(zone::Zone), Box::new(record::Record)]
}

/// Most pages one list call may take.
const MAX_PAGES: usize = 10_000;

/// Every hosted zone (ListHostedZones' `HostedZone` entries), page by page (`marker`).
pub(crate) async fn hosted_zones(client: &ApiClient) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = vec![("maxitems", "100".to_string())];
        if let Some(m) = &marker {
            query.push(("marker", m.clone()));
        }
        let page = client
            .rest(
                &SERVICE,
                "ListHostedZones",
                "/2013-04-01/hostedzone",
                &crate::client::form(&query),
            )
            .await?;
        out.extend(
            members(&page["HostedZones"], "HostedZone")
                .into_iter()
                .cloned(),
        );
        if crate::common::flag(&page, "IsTruncated") != Value::Bool(true) {
            return Ok(out);
        }
        let next = page["NextMarker"].as_str().filter(|s| !s.is_empty());
        match next {
            None => {
                return Err(runaway(
                    "ListHostedZones",
                    "the answer is cut short but names no next page",
                ))
            }
            Some(n) if marker.as_deref() == Some(n) => {
                return Err(runaway(
                    "ListHostedZones",
                    "the next page is the page just read",
                ))
            }
            Some(n) => marker = Some(n.to_string()),
        }
    }
    Err(runaway("ListHostedZones", "more pages than driftd reads"))
}

/// A zone's bare id (`Z123`) from its `Id` (`/hostedzone/Z123`).
pub(crate) fn zone_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The tags of a hosted zone (ListTagsForResource) as a Terraform map; `None` when it is gone.
pub(crate) async fn zone_tags(
    client: &ApiClient,
    zone: &str,
) -> Result<Option<Value>, driftd_core::ListError> {
    let got = client
        .rest(
            &SERVICE,
            "ListTagsForResource",
            &format!("/2013-04-01/tags/hostedzone/{}", segment(zone)),
            "",
        )
        .await;
    Ok(crate::paging::unless_gone(got)?.map(|v| {
        crate::common::tag_list(members(&v["ResourceTagSet"]["Tags"], "Tag"), "Key", "Value")
    }))
}

/// A DNS name as Terraform records it: Route 53's octal escapes (`\052` for `*`) decoded, without
/// the trailing dot, in lower case.
pub(crate) fn dns_name(name: &str) -> String {
    let mut out = String::new();
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let code = u8::from_str_radix(&name[i + 1..i + 4], 8).unwrap_or(b'?');
            out.push(code as char);
            i += 4;
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    /// Found with the `aws_answers` fuzz target: a truncated answer naming the page just read
    /// (or no next page) ended the listing as if complete, a partial list of zones. It now
    /// stops the listing with the reason.
    #[tokio::test]
    async fn paging_that_cannot_go_on_stops_the_listing() {
        for body in [
            "<ListHostedZonesResponse><HostedZones><HostedZone><Id>/hostedzone/Z1</Id></HostedZone></HostedZones><IsTruncated>true</IsTruncated><NextMarker>m</NextMarker></ListHostedZonesResponse>",
            "<ListHostedZonesResponse><HostedZones></HostedZones><IsTruncated>true</IsTruncated></ListHostedZonesResponse>",
        ] {
            let client = crate::testing::client_answering(200, "text/xml", body);
            let err = super::hosted_zones(&client).await.expect_err(body);
            assert!(format!("{err:?}").contains("the listing was stopped"), "{err:?}");
        }
    }

    use super::*;

    #[test]
    fn names_lose_their_escapes_trailing_dot_and_case() {
        assert_eq!(dns_name("\\052.Example.com."), "*.example.com");
        assert_eq!(dns_name("www.example.com"), "www.example.com");
        assert_eq!(zone_id("/hostedzone/Z1D633PJN98FT9"), "Z1D633PJN98FT9");
    }
}
