<?php
// Issue #11: imports a Sésame Paheko CSV with Paheko's OWN import code (Accounting/Import.php,
// format « Simplifié », no account auto-creation) into a fresh in-memory Paheko whose year uses
// the association chart (fr_pca_2025 by default), then prints each account's debit, credit and
// balance. Paheko's code is not in this repository; to run it (PHP 8.2, php-sqlite3, php-intl,
// php-mbstring):
//
//   git clone https://github.com/paheko/paheko && git clone https://github.com/kd2org/kd2fw
//   cp -r kd2fw/src/lib/KD2 paheko/src/include/lib/KD2
//   cp tests/paheko/import-check.php paheko/tests/
//   SESAME_CSV=$PWD/paheko-2026-03.csv php paheko/tests/run.php paheko/tests/import-check.php
//   (SESAME_CHART=fr_pca_2018 for the 2018 chart; SESAME_TYPE=fec SESAME_IGNORE_IDS=1 for a FEC,
//   i.e. Paheko's "Créer toutes les écritures" import mode)
//
// Checked on 2026-11-30 with paheko 51fc59bc5 and kd2fw ad0a12a: docs/treasurer.md.
namespace Paheko;

use Paheko\Accounting\Charts;
use Paheko\Accounting\Export;
use Paheko\Accounting\Import;
use Paheko\Entities\Accounting\Year;

paheko_init();

$file = getenv('SESAME_CSV');
$chart_code = getenv('SESAME_CHART') ?: 'fr_pca_2025';
$chart = Charts::getByCode($chart_code) ?? Charts::install($chart_code);

$year = new Year;
$year->label = 'Exercice 2026';
$year->start_date = new \KD2\DB\Date('2026-01-01');
$year->end_date = new \KD2\DB\Date('2026-12-31');
$year->id_chart = $chart->id();
$year->save();

$csv = new CSV_Custom(null, 'sesame');
$type = getenv('SESAME_TYPE') === 'fec' ? Export::FEC : Export::SIMPLE;
$columns = array_flip(array_filter(Export::COLUMNS[$type]));
unset($columns['letter']);
$csv->setColumns($columns, $columns);
$csv->setMandatoryColumns(Export::MANDATORY_COLUMNS[$type]);
$csv->loadFile($file, basename($file));
$csv->setTranslationTableAuto();
echo "columns matched: ", json_encode($csv->getTranslationTable(), JSON_UNESCAPED_UNICODE), "\n";

try {
	$report = Import::import($type, $year, $csv, 1, ['return_report' => true, 'ignore_ids' => (bool) getenv('SESAME_IGNORE_IDS')]);
}
catch (UserException $e) {
	echo "REFUSED: ", $e->getMessage(), "\n";
	exit(1);
}
echo "created: ", $report['created_count'], ", modified: ", $report['modified_count'], ", accounts created: ", count($report['accounts']), "\n";

$db = DB::getInstance();
foreach ($db->iterate('SELECT a.code, a.label, SUM(l.debit) AS d, SUM(l.credit) AS c
	FROM acc_transactions_lines l JOIN acc_accounts a ON a.id = l.id_account
	JOIN acc_transactions t ON t.id = l.id_transaction WHERE t.id_year = ?
	GROUP BY a.code ORDER BY a.code', $year->id()) as $r) {
	printf("%-6s %-45s debit %8.2f credit %8.2f balance %9.2f\n", $r->code, $r->label, $r->d / 100, $r->c / 100, ($r->d - $r->c) / 100);
}
foreach ($db->iterate('SELECT type, COUNT(*) AS n FROM acc_transactions GROUP BY type') as $r) {
	printf("transactions of type %d: %d\n", $r->type, $r->n);
}
