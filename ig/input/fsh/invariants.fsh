Invariant: srm-temp-range
Description: "La température doit être comprise entre 30 et 45 °C (une autre valeur est une erreur de saisie)."
Expression: "value >= 30 and value <= 45"
Severity: #error

Invariant: srm-hr-range
Description: "La fréquence cardiaque doit être comprise entre 20 et 250 battements par minute."
Expression: "value >= 20 and value <= 250"
Severity: #error

Invariant: srm-weight-range
Description: "Le poids doit être compris entre 0,3 et 250 kg."
Expression: "value >= 0.3 and value <= 250"
Severity: #error

Invariant: srm-height-range
Description: "La taille doit être comprise entre 20 et 250 cm."
Expression: "value >= 20 and value <= 250"
Severity: #error

Invariant: srm-muac-range
Description: "Le périmètre brachial (PB) doit être compris entre 5 et 50 cm."
Expression: "value >= 5 and value <= 50"
Severity: #error

Invariant: srm-systolic-range
Description: "La pression systolique doit être comprise entre 50 et 300 mmHg."
Expression: "value >= 50 and value <= 300"
Severity: #error

Invariant: srm-diastolic-range
Description: "La pression diastolique doit être comprise entre 20 et 200 mmHg."
Expression: "value >= 20 and value <= 200"
Severity: #error

Invariant: srm-doc-content
Description: "Le fichier joint doit avoir une adresse (url) ou un contenu (data)."
Expression: "url.exists() or data.exists()"
Severity: #error
