package ml.santerurale.ig;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.BaseValidationSupportWrapper;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * The FHIR core definitions, listing only the core's types and resources (the specializations)
 * when asked for every StructureDefinition; every definition, the core's constraint profiles and
 * extension definitions included, is still found by its URL.
 *
 * <p>Why: the HL7 validator asks for the whole list once (its FHIRPath engine learns the type
 * names from it) and HAPI's adapter then converts every listed definition to R5 and keeps the
 * copy: the core's 649 definitions, of which its 441 profiles and extension definitions are
 * never used by this guide's validation, yet cost about 21 MB of heap for as long as the server
 * runs. Those that a resource does use (an extension's definition, a profile it claims) are
 * fetched by URL and converted then. Does not change what the R4 definitions themselves hold.
 */
final class CoreTypesListed extends BaseValidationSupportWrapper {

    CoreTypesListed(FhirContext context, IValidationSupport core) {
        super(context, core);
    }

    @Override
    public <T extends IBaseResource> List<T> fetchAllStructureDefinitions() {
        List<T> all = super.fetchAllStructureDefinitions();
        if (all == null) {
            return null;
        }
        List<T> types = new ArrayList<>();
        for (T definition : all) {
            if (definition instanceof StructureDefinition sd
                    && sd.getDerivation() == StructureDefinition.TypeDerivationRule.SPECIALIZATION) {
                types.add(definition);
            }
        }
        return types;
    }

    @Override
    public String getName() {
        return "FHIR core definitions, types listed";
    }
}
