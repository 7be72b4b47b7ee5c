#pragma once

// The resource-based access policy of an Amazon OpenSearch Service (or legacy Elasticsearch
// Service) domain, read for what it grants requests that carry no signature: internal to the AWS
// reader.

#include "net/addressset.h"

#include <string>
#include <string_view>
#include <vector>

namespace ew {

/// What a domain access policy grants anonymous (unsigned) requests to the domain's HTTP API.
struct AnonymousAccess
{
    struct Grant
    {
        std::string name; // "statement 0: Allow * es:* from any address"
        AddressSet sources; // the statement's addresses, less what explicit denies take away
    };
    std::vector<Grant> grants; // empty: no anonymous request is allowed
    /// Parts read with an assumption (a condition not evaluated, a deny not subtracted), as sentences.
    std::vector<std::string> notes;
    /// aws:SourceIp values that are no address or prefix (each with its statement), as written.
    std::vector<std::string> invalidAddresses;
    bool namedPrincipals = false; // some statement allows named principals (signed requests)
    bool valid = true; // false: the text is not JSON, or not a policy
    std::string error; // why not (with the byte offset for a JSON syntax error)
};

/// Reads a policy document (the JSON text of "AccessPolicies"); resourceArn is the domain's ARN,
/// which decides whether a Deny statement's Resource covers the whole domain. Never throws.
///
/// Amazon OpenSearch Service Developer Guide, "Identity and Access Management in Amazon OpenSearch
/// Service" (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html): a
/// Principal of "*" is anonymous access; IP-based policies "specify an anonymous principal and
/// include a special Condition element" (aws:SourceIp) and "allow unsigned requests"; "An explicit
/// deny overrides any allows". A statement that names IAM principals admits signed requests only,
/// which is not anonymous internet access.
AnonymousAccess readAnonymousAccess(std::string_view policy, std::string_view resourceArn);

} // namespace ew
