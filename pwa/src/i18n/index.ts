import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import fr from './fr.json';

/** French first; a Bambara locale is one more JSON file with the same keys. */
export function initI18n() {
  return i18next.use(initReactI18next).init({
    lng: 'fr',
    fallbackLng: 'fr',
    resources: { fr: { translation: fr } },
    interpolation: { escapeValue: false },
  });
}

export const i18n = i18next;
