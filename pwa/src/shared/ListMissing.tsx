import { useTranslation } from 'react-i18next';
import type { ReferenceItem } from '../lib/reference/referenceData';
import { capitalise, REFERENCE_ITEM_KEYS } from './referenceLabels';

/** Said in place of a coded choice whose list is not on the device yet (the form still saves). */
export function ListMissing({ item }: { item: ReferenceItem }) {
  const { t } = useTranslation();
  return (
    <p role="status" className="text-amber-800">
      {t('reference.listMissing', { item: capitalise(t(REFERENCE_ITEM_KEYS[item])) })}
    </p>
  );
}
