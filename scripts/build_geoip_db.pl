#!/usr/bin/perl
# scripts/build_geoip_db.pl — writes a MaxMind DB (.mmdb) with Debian's
# libmaxmind-db-writer-perl, from one of two sources:
#
#   --libloc DB.db   the IPFire Location database (Debian's libloc-database),
#                    read through `location --database DB.db dump`: country,
#                    AS number and name, and the network flags (anonymous
#                    proxy, anycast, satellite provider, drop)
#   --json SRC.json  a small hand-written source (the test databases in
#                    tests/fixtures/geoip/): database_type, description,
#                    build_epoch, ip_version (6 unless 4), and "networks", a
#                    list of {"net": CIDR, "data": record} written as given
#
#   scripts/build_geoip_db.pl --libloc /usr/share/libloc-location/location.db -o OUT.mmdb
#   scripts/build_geoip_db.pl --json tests/fixtures/geoip/ghostwire.json -o OUT.mmdb
#
# The record layout is GeoIP2's (docs/geoip.md): country.iso_code,
# autonomous_system_number, autonomous_system_organization, and
# traits.is_anonymous_proxy / is_anycast / is_satellite_provider, plus
# ghostwire's traits.is_drop for libloc's "drop" flag. The tree is IPv6 with
# IPv4 in ::/96 and ::ffff:0:0/96 aliased to it, so libmaxminddb finds IPv4
# addresses and v4-mapped ones alike. build_epoch is the source's own date, so
# the same source always gives the same file.
use strict;
use warnings;

use Encode qw(decode);
use Getopt::Long qw(GetOptions);
use JSON::PP ();
use MaxMind::DB::Writer::Tree;
use Time::Local qw(timegm);

my %MONTHS = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5,
	      Jul => 6, Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);

# Types of every key either source may use (the MaxMind DB format is typed).
my %KEY_TYPES = (
	country                        => 'map',
	registered_country             => 'map',
	continent                      => 'map',
	traits                         => 'map',
	names                          => 'map',
	iso_code                       => 'utf8_string',
	code                           => 'utf8_string',
	en                             => 'utf8_string',
	geoname_id                     => 'uint32',
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	is_anonymous_proxy             => 'boolean',
	is_anycast                     => 'boolean',
	is_satellite_provider          => 'boolean',
	is_drop                        => 'boolean',
);

sub key_type {
	my ($key) = @_;
	return $KEY_TYPES{$key} // die "build_geoip_db: no type for key '$key'\n";
}

sub new_tree {
	my (%m) = @_;
	my $tree = MaxMind::DB::Writer::Tree->new(
		ip_version               => $m{ip_version} // 6,
		record_size              => $m{record_size} // 28,
		database_type            => $m{database_type},
		description              => $m{description},
		languages                => ['en'],
		map_key_type_callback    => \&key_type,
		alias_ipv6_to_ipv4       => ($m{ip_version} // 6) == 6 ? 1 : 0,
		# Reproduce the source everywhere; ghostwire labels special ranges itself.
		remove_reserved_networks => 0,
	);
	# The writer's own hook for reproducible output (it defaults to now).
	$tree->_set_build_epoch($m{build_epoch});
	return $tree;
}

sub write_db {
	my ($tree, $out) = @_;
	my $tmp = "$out.tmp";
	open my $fh, '>:raw', $tmp or die "build_geoip_db: $tmp: $!\n";
	$tree->write_tree($fh);
	close $fh or die "build_geoip_db: $tmp: $!\n";
	rename $tmp, $out or die "build_geoip_db: $out: $!\n";
}

# --- the IPFire Location database -------------------------------------------

# "Sat, 29 Oct 2022 05:59:54 GMT" -> seconds since the epoch.
sub parse_generated {
	my ($text) = @_;
	$text =~ /(\d+) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d)/
		or die "build_geoip_db: unreadable date '$text'\n";
	return timegm($6, $5, $4, $1, $MONTHS{$2}, $3);
}

# One record per distinct (country, ASN, flags): the writer stores each once.
my %records;

sub record_for {
	my ($net, $names) = @_;
	my $key = join "\t", $net->{country} // '', $net->{asn} // '', $net->{flags} // '';
	return $records{$key} //= do {
		my %r;
		$r{country} = {iso_code => $net->{country}} if defined $net->{country};
		if (defined $net->{asn}) {
			$r{autonomous_system_number} = $net->{asn};
			my $name = $names->{$net->{asn}};
			$r{autonomous_system_organization} = $name if defined $name && $name ne '';
		}
		my %t = map { $_ => 1 } split / /, $net->{flags} // '';
		$r{traits} = \%t if %t;
		\%r;
	};
}

my %FLAG_KEYS = (
	'is-anonymous-proxy'    => 'is_anonymous_proxy',
	'is-anycast'            => 'is_anycast',
	'is-satellite-provider' => 'is_satellite_provider',
	'drop'                  => 'is_drop',
);

# Reads `location dump`: AS blocks ("aut-num: AS1", "name: ...") come first,
# then network blocks ("net:", "country:", "aut-num:", flags "...: yes"),
# separated by blank lines. Returns the AS names, the networks bucketed by
# their prefix length in the IPv6 tree, and the database's date.
sub read_libloc {
	my ($db) = @_;
	open my $in, '-|', 'location', '--database', $db, 'dump'
		or die "build_geoip_db: cannot run location: $!\n";
	my (%names, @by_len, $generated, %cur);
	my $flush = sub {
		if (defined $cur{net}) {
			my ($addr, $len) = split m{/}, $cur{net};
			$len += 96 if $addr !~ /:/;
			push @{$by_len[$len]}, {%cur};
		}
		%cur = ();
	};
	my $as;
	while (my $line = <$in>) {
		chomp $line;
		if ($line eq '') {
			$flush->();
			undef $as;
			next;
		}
		if ($line =~ /^# Generated:\s+(.*)$/) {
			$generated = parse_generated($1);
			next;
		}
		next if $line =~ /^#/;
		my ($k, $v) = $line =~ /^([a-z-]+):\s*(.*)$/ or next;
		if ($k eq 'aut-num' && $v =~ /^AS(\d+)$/) {
			$as = $1;
		} elsif ($k eq 'name' && defined $as) {
			$names{$as} = decode('UTF-8', $v); # bytes from the pipe
		} elsif ($k eq 'net') {
			$cur{net} = $v;
		} elsif ($k eq 'country') {
			$cur{country} = $v;
		} elsif ($k eq 'aut-num') {
			$cur{asn} = $v + 0;
		} elsif (exists $FLAG_KEYS{$k} && $v eq 'yes') {
			$cur{flags} = join ' ', grep { defined } $cur{flags}, $FLAG_KEYS{$k};
		}
	}
	$flush->();
	close $in or die "build_geoip_db: location dump failed\n";
	defined $generated or die "build_geoip_db: no '# Generated:' line in the dump\n";
	return (\%names, \@by_len, $generated);
}

# The writer refuses inserts into the aliased ranges (Teredo 2001::/32, 6to4
# 2002::/16, ::ffff:0:0/96); libloc has data for Teredo, which is left out.
sub aliased {
	my ($net) = @_;
	return $net =~ m{^(2001:(0*:|:)|2002:|::ffff:)}i;
}

sub build_libloc {
	my ($db, $out) = @_;
	my ($names, $by_len, $generated) = read_libloc($db);
	my @d = gmtime $generated;
	my $date = sprintf '%04d-%02d-%02d', $d[5] + 1900, $d[4] + 1, $d[3];
	my $tree = new_tree(
		database_type => 'ghostwire-IPFire-Location',
		description   => {en => "IPFire Location database of $date, CC BY-SA 4.0 "
			. '(https://location.ipfire.org/), converted to MaxMind DB format by '
			. "ghostwire's scripts/build_geoip_db (modified: only each network's "
			. 'country, AS number, AS name and flags are kept, in GeoIP2 field '
			. 'names; the Teredo network 2001::/32 is left out)'},
		build_epoch   => $generated,
		record_size   => 24,
	);
	# Shortest prefixes first: a more specific network then overrides its
	# parent, as libloc's own lookup answers with the most specific one.
	my ($n, $skipped) = (0, 0);
	for my $len (0 .. 128) {
		for my $net (@{$by_len->[$len] // []}) {
			if (aliased($net->{net})) {
				$skipped++;
				next;
			}
			$tree->insert_network($net->{net}, record_for($net, $names));
			$n++;
		}
	}
	write_db($tree, $out);
	printf STDERR "build_geoip_db: %d networks, %d ASes, %d distinct records, "
		. "%d left out (aliased ranges), data of %s\n",
		$n, scalar keys %$names, scalar keys %records, $skipped, $date;
}

# --- a JSON source ----------------------------------------------------------

# Booleans come out of JSON::PP as objects; the writer wants plain values.
sub plain {
	my ($v) = @_;
	return {map { $_ => plain($v->{$_}) } keys %$v} if ref $v eq 'HASH';
	return [map { plain($_) } @$v] if ref $v eq 'ARRAY';
	return $v ? 1 : 0 if JSON::PP::is_bool($v);
	return $v;
}

sub build_json {
	my ($src, $out) = @_;
	open my $in, '<:raw', $src or die "build_geoip_db: $src: $!\n";
	my $doc = JSON::PP->new->utf8->decode(do { local $/; <$in> });
	close $in;
	my $tree = new_tree(
		database_type => $doc->{database_type},
		description   => {en => $doc->{description}},
		build_epoch   => $doc->{build_epoch},
		ip_version    => $doc->{ip_version} // 6,
		record_size   => 24,
	);
	# Listed order matters (a later network overrides an earlier one it overlaps).
	$tree->insert_network($_->{net}, plain($_->{data})) for @{$doc->{networks}};
	write_db($tree, $out);
}

my ($libloc, $json, $out);
GetOptions('libloc=s' => \$libloc, 'json=s' => \$json, 'o=s' => \$out)
	&& defined $out && (defined $libloc xor defined $json)
	or die "usage: build_geoip_db.pl (--libloc DB | --json SRC) -o OUT.mmdb\n";
defined $libloc ? build_libloc($libloc, $out) : build_json($json, $out);
