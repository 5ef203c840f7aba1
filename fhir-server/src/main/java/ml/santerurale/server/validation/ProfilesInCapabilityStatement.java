package ml.santerurale.server.validation;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ml.santerurale.ig.SanteRuraleIg;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * Names in the CapabilityStatement the profile each type is held to ({@code rest.resource.profile})
 * and, for Observation, the vital-sign profiles too ({@code supportedProfile}).
 */
@Interceptor
public class ProfilesInCapabilityStatement {

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void nameProfiles(IBaseConformance capabilityStatement) {
        if (!(capabilityStatement instanceof CapabilityStatement statement)) {
            return;
        }
        for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
                String profile = SanteRuraleIg.PROFILE_BY_TYPE.get(resource.getType());
                if (profile == null) {
                    continue;
                }
                resource.setProfile(profile);
                resource.getSupportedProfile().clear();
                resource.addSupportedProfile(profile);
                if ("Observation".equals(resource.getType())) {
                    SanteRuraleIg.VITAL_SIGNS.values().stream().sorted()
                            .forEach(p -> resource.getSupportedProfile().add(new CanonicalType(p)));
                }
            }
        }
    }
}
