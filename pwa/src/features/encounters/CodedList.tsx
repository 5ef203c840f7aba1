import { useFieldArray, type UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { ConsultationForm } from '../../lib/fhir/consultation';
import type { Coding } from '../../lib/fhir/types';
import { CodeOptions, Field } from '../../shared/Field';
import { ListMissing } from '../../shared/ListMissing';

/** A repeatable coded choice of the consultation (diagnoses, procedures): one select a row. */
export function CodedList({ form, name, list, legend, label, addLabel, options, showCode }: {
  form: UseFormReturn<ConsultationForm>;
  name: 'diagnoses' | 'procedures';
  /** the pick list the options come from */
  list: 'conditions' | 'procedures';
  legend: string;
  label: string;
  addLabel: string;
  options: readonly Coding[];
  showCode?: boolean;
}) {
  const { t } = useTranslation();
  const rows = useFieldArray({ control: form.control, name });
  const errors = form.formState.errors[name];
  return (
    <fieldset className="card space-y-3">
      <legend className="px-1 font-semibold">{legend}</legend>
      {rows.fields.map((f, i) => (
        <div key={f.id} className="flex items-end gap-2">
          <div className="flex-1">
            <Field id={`${name}-${i}`} label={label} error={errors?.[i]?.code?.message}>
              <select id={`${name}-${i}`} {...form.register(`${name}.${i}.code`)}>
                <CodeOptions options={options} showCode={showCode} />
              </select>
            </Field>
          </div>
          <button type="button" className="btn-secondary" onClick={() => rows.remove(i)}>{t('form.remove')}</button>
        </div>
      ))}
      {options.length === 0 ? (
        <ListMissing item={list} />
      ) : (
        <button type="button" className="btn-secondary" onClick={() => rows.append({ code: '' })}>{addLabel}</button>
      )}
    </fieldset>
  );
}
