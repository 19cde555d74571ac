//! Read + check + plan against a directory of 100,000 users (the budget in
//! BENCHMARKS.md). Run: cargo bench -p app --bench check

use app::domain::access::AccessLevel;
use app::import::write::{self, Format};
use app::import::{check_file, Directory, DirectoryUser};
use app::sheet::Limits;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

// The server binary uses mimalloc too; the engine allocates many short strings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn user(i: usize) -> DirectoryUser {
    DirectoryUser {
        user_id: format!("user{i}").into(),
        email: format!("user{i}@example.org").into(),
        first_name: format!("First{i}").into(),
        last_name: format!("Last{i}").into(),
        title: "Engineer".into(),
        phone: format!("+44 20 {:07}", i % 10_000_000).into(),
        phone2: Default::default(),
        network_account: Default::default(),
        has_password: true,
        locale: "en-GB".into(),
        access: AccessLevel::User,
        active: true,
        reports_to: if i > 0 { format!("user{}", i / 10).into() } else { Default::default() },
        task_notification: "Email".into(),
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
    }
}

fn directory(users: usize) -> Directory {
    Directory {
        version: 1,
        tenant: "Acme".into(),
        roles: vec!["Sales".into()],
        groups: vec!["Team A".into()],
        users: (0..users).map(user).collect(),
        ..Directory::default()
    }
}

/// `rows` rows of 12 columns: half update existing users, half create new ones.
fn csv(rows: usize, existing: usize) -> Vec<u8> {
    let mut out = String::from("Action,User ID,Email,First Name,Last Name,Title,Phone,Locale,Access Level,Active,Reports To,Roles\n");
    for i in 0..rows {
        let n = if i % 2 == 0 { i / 2 % existing } else { existing + i };
        out.push_str(&format!(
            ",user{n},user{n}@example.org,First{n},Last{n},Senior Engineer,+44 20 {:07},en-GB,User,TRUE,user{},Sales|Support\n",
            n % 10_000_000,
            n / 10
        ));
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let limits = Limits { max_bytes: 512 << 20, ..Limits::default() };
    let existing = directory(100_000);
    let mut group = c.benchmark_group("check");
    group.sample_size(10).measurement_time(Duration::from_secs(8));

    let file = csv(100_000, 100_000);
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("csv 100k rows x 12 columns, 100k existing", |b| {
        b.iter(|| black_box(check_file(black_box(&file), &limits, &existing)))
    });

    let xlsx = write::export(&existing.users, Format::Xlsx).unwrap();
    group.throughput(Throughput::Bytes(xlsx.len() as u64));
    group.bench_function("xlsx 100k rows (export of 100k existing)", |b| {
        b.iter(|| black_box(check_file(black_box(&xlsx), &limits, &existing)))
    });

    let million = csv(1_000_000, 100_000);
    group.throughput(Throughput::Bytes(million.len() as u64));
    group.bench_function("csv 1M rows x 12 columns, 100k existing", |b| {
        b.iter(|| black_box(check_file(black_box(&million), &limits, &existing)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
