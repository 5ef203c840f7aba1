package ml.santerurale.interceptors.access;

import java.util.Set;

/**
 * Active referrals as access grants: a referral (ServiceRequest) from site A to site B lets B see
 * that patient's record at A until the referral is completed or revoked.
 */
public interface ReferralGrants {

    /** A patient of {@code fromSite} that staff of {@code toSite} may see, through a referral. */
    record Grant(String fromSite, String toSite, String patientId, String serviceRequestId) {}

    /** The active grants to any of these sites. */
    Set<Grant> activeTo(Set<String> sites);
}
