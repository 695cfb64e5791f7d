// formail's fixed texts, byte for byte as /usr/bin/formail (procmail 3.22, Debian) prints them.

export const USAGE =
  'Usage: formail [-vbczfrktqY] [-D nnn idcache] [-p prefix] [-l folder]\n' +
  '\t[-xXaAiIuU field] [-R ofield nfield]\n' +
  '   Or: formail [+nnn] [-nnn] [-bczfrktedqBY] [-D nnn idcache] [-p prefix]\n' +
  '\t[-n [nnn]] [-m nnn] [-l folder] [-xXaAiIuU field] [-R ofield nfield]\n' +
  '\t-s [prg [arg ...]]\n';

export const HELP =
  ' -v\t\tdisplay the version number and exit\n' +
  " -b\t\tdon't escape bogus mailbox headers\n" +
  ' -Y\t\tBerkeley format mailbox, disregard Content-Length:\n' +
  ' -c\t\tconcatenate continued header-fields\n' +
  ' -z\t\tzap whitespace and empty header-fields\n' +
  ' -f\t\tforce formail to pass along any non-mailbox format\n' +
  ' -r\t\tgenerate an auto-reply header, preserve fields with -i\n' +
  ' -k\t\ton auto-reply keep the body, prevent escaping with -b\n' +
  ' -t\t\treply to the header sender instead of the envelope sender\n' +
  ' -l folder\tgenerate a procmail-compatible log summary\n' +
  ' -D nnn idcache\tdetect duplicates with an idcache of length nnn\n' +
  ' -s prg arg\tsplit the mail, startup prg for every message\n' +
  ' +nnn\t\tskip the first nnn\t-nnn\toutput at most nnn messages\n' +
  " -n [nnn]\tdon't serialise splits\t-e\tempty lines are optional\n" +
  ' -d\t\taccept digest format\t-B\texpect BABYL rmail format\n' +
  ' -q\t\tbe quiet\t\t-p prefix\tquotation prefix\n' +
  ' -m nnn \tmin fields threshold (default 2) for start of message\n' +
  ' -x field\textract contents\t-X field\textract fully\n' +
  ' -a field\tadd if not present\t-A field\tadd in any case\n' +
  ' -i field\trename and insert\t-I field\tdelete and insert\n' +
  ' -u field\tfirst unique\t\t-U field\tlast unique\n' +
  ' -R oldfield newfield\trename\n';

export const VERSION =
  'formail v3.23pre 2001/09/13\n' +
  '    Copyright (c) 1990-2001, Stephen R. van den Berg\t<srb@cuci.nl>\n' +
  '    Copyright (c) 1997-2001, Philip A. Guenther\t\t<guenther@sendmail.com>\n' +
  '\n' +
  'Submit questions/answers to the procmail-related mailinglist by sending to:\n' +
  '\t<procmail-users@procmail.org>\n' +
  '\n' +
  'And of course, subscription and information requests for this list to:\n' +
  '\t<procmail-users-request@procmail.org>\n';

/** Prefix of every diagnostic. */
export const NAME = 'formail';
