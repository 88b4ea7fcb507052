//! Filling roles with distinct people: a maximum bipartite matching (Kuhn's augmenting
//! paths). MDT staffing checks in validation and urgent MDT convening both use it.

/// For each role, the person holding it in a maximum matching of roles to distinct
/// people, or `None` when the role cannot be filled. `candidates[role]` lists the
/// people (indices below `people`) who may take the role, in order of preference:
/// earlier candidates are tried first.
pub(crate) fn match_distinct(candidates: &[Vec<usize>], people: usize) -> Vec<Option<usize>> {
    fn augment(
        role: usize,
        candidates: &[Vec<usize>],
        seen: &mut [bool],
        holder: &mut [Option<usize>],
    ) -> bool {
        for &person in &candidates[role] {
            if seen[person] {
                continue;
            }
            seen[person] = true;
            if holder[person].is_none_or(|other| augment(other, candidates, seen, holder)) {
                holder[person] = Some(role);
                return true;
            }
        }
        false
    }
    let mut holder = vec![None; people];
    for role in 0..candidates.len() {
        let mut seen = vec![false; people];
        augment(role, candidates, &mut seen, &mut holder);
    }
    let mut filled = vec![None; candidates.len()];
    for (person, role) in holder.iter().enumerate() {
        if let Some(role) = role {
            filled[*role] = Some(person);
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_people_fill_roles_when_they_can() {
        // Person 0 can take both roles; person 1 only the first: both get filled.
        assert_eq!(
            match_distinct(&[vec![0, 1], vec![0]], 2),
            [Some(1), Some(0)]
        );
        // One person cannot hold two roles.
        let filled = match_distinct(&[vec![0], vec![0]], 1);
        assert_eq!(filled.iter().filter(|r| r.is_some()).count(), 1);
        assert_eq!(match_distinct(&[vec![]], 3), [None]);
    }
}
