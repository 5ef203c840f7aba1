package ml.santerurale.server.reporting;

import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Expression;
import org.hl7.fhir.r4.model.Measure;

/**
 * The two reports a CSCOM owes its district, as FHIR Measures (canonical
 * {@code https://sante-rurale.ml/fhir/Measure/<id>}): the monthly activity report (RMA) and the
 * weekly report of epidemic-prone diseases. One group per indicator, whose code is the
 * indicator's; the rules are in {@link Indicator} (Java), their wording in each group's criteria.
 */
enum ReportMeasure {
    RMA_MONTHLY("rma-monthly", "Rapport mensuel d'activités (RMA) du CSCOM", ReportingPeriod.Frequency.MONTHLY,
            List.of(Indicator.values())),
    EPIDEMIC_WEEKLY("epidemic-weekly", "Rapport hebdomadaire des maladies à potentiel épidémique",
            ReportingPeriod.Frequency.WEEKLY, List.of(Indicator.MALARIA_CONFIRMED, Indicator.MALARIA_SEVERE,
                    Indicator.MALARIA_CLINICAL, Indicator.DIARRHOEA, Indicator.RESPIRATORY));

    static final String CANONICAL_BASE = "https://sante-rurale.ml/fhir/Measure/";
    static final String INDICATOR_SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/report-indicator";
    static final String STRATIFIER_SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/report-stratifier";
    static final String POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population";

    final String id;
    final String title;
    final ReportingPeriod.Frequency frequency;
    final List<Indicator> indicators;

    ReportMeasure(String id, String title, ReportingPeriod.Frequency frequency, List<Indicator> indicators) {
        this.id = id;
        this.title = title;
        this.frequency = frequency;
        this.indicators = indicators;
    }

    String canonical() {
        return CANONICAL_BASE + id;
    }

    static ReportMeasure byId(String id) {
        for (ReportMeasure measure : values()) {
            if (measure.id.equals(id)) {
                return measure;
            }
        }
        return null;
    }

    static ReportMeasure forFrequency(ReportingPeriod.Frequency frequency) {
        return frequency == ReportingPeriod.Frequency.WEEKLY ? EPIDEMIC_WEEKLY : RMA_MONTHLY;
    }

    Measure toResource() {
        Measure measure = new Measure();
        measure.setId(id);
        measure.setUrl(canonical());
        measure.setVersion("1");
        measure.setName(id.replace("-", "_"));
        measure.setTitle(title);
        measure.setStatus(Enumerations.PublicationStatus.ACTIVE);
        measure.setScoring(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/measure-scoring", "cohort", "Cohort")));
        measure.setDescription("Counts per site and period (UTC). Ages at the encounter date; a birth date known to the"
                + " year only counts as 1 July of that year, to the month only as the 15th.");
        for (Indicator indicator : indicators) {
            Measure.MeasureGroupComponent group = measure.addGroup();
            group.setCode(new CodeableConcept(new Coding(INDICATOR_SYSTEM, indicator.code, indicator.title)));
            group.setDescription(indicator.criteria);
            group.addPopulation()
                    .setCode(new CodeableConcept(new Coding(POPULATION_SYSTEM, "initial-population", "Initial Population")))
                    .setCriteria(new Expression().setLanguage("text/plain").setExpression(indicator.criteria));
            for (Stratifier stratifier : indicator.stratifiers) {
                Measure.MeasureGroupStratifierComponent s = group.addStratifier()
                        .setCode(new CodeableConcept(new Coding(STRATIFIER_SYSTEM, stratifier.code, null)));
                if (stratifier.components.size() > 1) {
                    for (String component : stratifier.components) {
                        s.addComponent().setCode(new CodeableConcept(new Coding(STRATIFIER_SYSTEM, component, null)))
                                .setCriteria(new Expression().setLanguage("text/plain").setExpression(component));
                    }
                } else {
                    s.setCriteria(new Expression().setLanguage("text/plain").setExpression(stratifier.components.get(0)));
                }
            }
        }
        return measure;
    }
}
