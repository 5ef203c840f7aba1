import { useTranslation } from 'react-i18next';
import { isBirthDateEstimated } from '../../lib/fhir/patient';
import type { Patient } from '../../lib/fhir/types';

/** One line about a patient: sex, birth year, village, phone. */
export function PatientSummary({ patient }: { patient: Patient }) {
  const { t } = useTranslation();
  const year = patient.birthDate?.slice(0, 4);
  const estimated = isBirthDateEstimated(patient);
  const parts = [
    patient.gender === 'female' ? t('patient.female') : patient.gender === 'male' ? t('patient.male') : undefined,
    year ? t(estimated ? 'patient.bornEstimated' : 'patient.born', { year }) : undefined,
    patient.address?.[0]?.city,
    patient.telecom?.find((x) => x.system === 'phone')?.value,
  ].filter(Boolean);
  return <span className="text-sm text-slate-700">{parts.join(' · ')}</span>;
}
